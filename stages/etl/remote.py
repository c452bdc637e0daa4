"""Remote sources: URLs and RSS/Atom feeds over HTTP.

One shared ``httpx.Client``; a thread pool bounds concurrency overall and a semaphore per host keeps
us polite. Each request has a timeout and a size cap, and is retried with exponential backoff on
network errors, 429 and 5xx (``Retry-After`` honoured, capped). A source that still fails becomes a
:class:`~stages.etl.sources.Failure`: recorded in metadata, the run goes on.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from lendaria.settings import Settings

from stages.etl.errors import ExtractionError
from stages.etl.extract import FORMAT_BY_MEDIA_TYPE, FORMAT_BY_SUFFIX, Extracted, extract_document, extract_html
from stages.etl.sources import Document, Failure, Origin, make_source_id
from stages.etl.spec import SourceItem

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
FEED_MEDIA_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/feed+json")


class FetchError(Exception):
    """A download that failed after its retries; message is user-facing."""


@dataclass(frozen=True)
class Response:
    url: str
    media_type: str
    charset: str | None
    body: bytes


class Fetcher:
    """Polite HTTP GET with retries, per-host limits and a size cap. Thread-safe."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self._sleep = sleep
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.http_timeout),
            follow_redirects=True,
            headers={"User-Agent": settings.user_agent},
            limits=httpx.Limits(max_connections=settings.http_concurrency),
        )
        self._host_slots: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(settings.http_per_host))
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _slot(self, url: str) -> threading.Semaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            return self._host_slots[host]

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        delay = self.settings.http_backoff * (2**attempt)
        if retry_after:
            parsed = _parse_retry_after(retry_after)
            if parsed is not None:
                delay = max(delay, parsed)
        return min(delay, self.settings.http_max_backoff)

    def get(self, url: str) -> Response:
        attempts = self.settings.http_retries + 1
        last_error = "no attempt made"
        for attempt in range(attempts):
            retry_after = None
            try:
                with self._slot(url):
                    return self._get_once(url)
            except _Retryable as exc:
                last_error, retry_after = str(exc), exc.retry_after
            except httpx.TransportError as exc:
                last_error = f"{type(exc).__name__}: {exc or 'network error'}"
            if attempt + 1 < attempts:
                delay = self._backoff(attempt, retry_after)
                log.info("retrying %s in %.2fs after %s", url, delay, last_error)
                self._sleep(delay)
        raise FetchError(f"{last_error} (after {attempts} attempt{'s' if attempts > 1 else ''})")

    def _get_once(self, url: str) -> Response:
        cap = self.settings.max_source_bytes
        with self._client.stream("GET", url) as response:
            if response.status_code in RETRY_STATUSES:
                raise _Retryable(f"HTTP {response.status_code}", response.headers.get("Retry-After"))
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise FetchError(f"response of {int(declared)} bytes is over the {cap}-byte limit (LENDARIA_MAX_SOURCE_BYTES)")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"response is over the {cap}-byte limit (LENDARIA_MAX_SOURCE_BYTES)")
                chunks.append(chunk)
            content_type = response.headers.get("Content-Type", "")
            media_type = content_type.split(";")[0].strip().lower()
            charset = response.charset_encoding
            return Response(str(response.url), media_type, charset, b"".join(chunks))


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: str | None):
        super().__init__(message)
        self.retry_after = retry_after


def _parse_retry_after(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


_GENERIC_MEDIA_TYPES = ("", "text/plain", "application/octet-stream", "binary/octet-stream")


def format_of_response(response: Response) -> str | None:
    """Format from the media type; a generic media type defers to the URL's file extension."""
    by_suffix = FORMAT_BY_SUFFIX.get(PurePosixPath(urlsplit(response.url).path).suffix.lower())
    if response.media_type in _GENERIC_MEDIA_TYPES and by_suffix:
        return by_suffix
    return FORMAT_BY_MEDIA_TYPE.get(response.media_type) or by_suffix


def url_stem(url: str) -> str:
    parts = urlsplit(url)
    segment = PurePosixPath(parts.path).stem if parts.path.strip("/") else ""
    return segment or parts.netloc


# --------------------------------------------------------------------------------------------
def _collect_url(fetcher: Fetcher, item: SourceItem) -> Document | Failure:
    assert item.url is not None
    origin = Origin("url", item.url)
    source_id = make_source_id(origin, url_stem(item.url), item.speaker)
    try:
        response = fetcher.get(item.url)
        fmt = format_of_response(response)
        if fmt is None:
            if response.media_type in FEED_MEDIA_TYPES:
                raise ExtractionError("is a feed; list it as `feed:` instead of `url:`")
            raise ExtractionError(f"unsupported content type {response.media_type or '(none)'}")
        extracted = extract_document(response.body, fmt, encoding=item.encoding or response.charset, speaker=item.speaker)
        if not extracted.text.strip():
            raise ExtractionError("no text could be extracted")
    except (FetchError, ExtractionError) as exc:
        return Failure(item, origin, source_id, f"{item.url}: {exc}")
    return Document(item, origin, source_id, extracted)


def _collect_feed(fetcher: Fetcher, item: SourceItem, pool: ThreadPoolExecutor) -> list[Document | Failure]:
    import feedparser

    assert item.feed is not None
    feed_origin = Origin("feed", item.feed)
    feed_id = make_source_id(feed_origin, url_stem(item.feed))
    try:
        response = fetcher.get(item.feed)
    except FetchError as exc:
        return [Failure(item, feed_origin, feed_id, f"{item.feed}: {exc}")]
    parsed = feedparser.parse(response.body)
    if parsed.get("bozo") and not parsed.entries:
        return [Failure(item, feed_origin, feed_id, f"{item.feed}: not a readable RSS/Atom feed ({parsed.get('bozo_exception')})")]
    limit = item.limit or fetcher.settings.feed_max_entries
    entries = parsed.entries[:limit]

    def one(entry: dict) -> Document | Failure:
        link = entry.get("link") or entry.get("id") or ""
        origin = Origin("feed", link or f"{item.feed}#{entry.get('title', '')}", feed=item.feed)
        title = (entry.get("title") or "").strip() or None
        # the readable part comes from the link, not the title, so editing a post's title keeps its id
        source_id = make_source_id(origin, url_stem(link) if link else (title or "entry"), item.speaker)
        html = entry["content"][0].get("value", "") if entry.get("content") else ""
        try:
            if not html and link.startswith(("http://", "https://")):
                page = fetcher.get(link)
                fmt = format_of_response(page) or "html"
                extracted = extract_document(page.body, fmt, encoding=page.charset)
            else:
                extracted = extract_html(html or entry.get("summary", ""))
            if not extracted.text.strip():
                raise ExtractionError("entry has no text")
        except (FetchError, ExtractionError) as exc:
            return Failure(item, origin, source_id, f"{link or item.feed}: {exc}")
        return Document(item, origin, source_id, Extracted(extracted.text, title or extracted.title, "feed"))

    return list(pool.map(one, entries))


def collect_remote_items(items: Iterable[SourceItem], settings: Settings, *, fetcher: Fetcher | None = None) -> list[Document | Failure]:
    """Fetch and extract every ``url:`` and ``feed:`` item; results in spec order (feeds in feed order)."""
    items = list(items)
    if not items:
        return []
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    try:
        with ThreadPoolExecutor(max_workers=settings.http_concurrency) as pool, ThreadPoolExecutor(max_workers=settings.http_concurrency) as entry_pool:
            futures = [
                pool.submit(_collect_url, fetcher, item) if item.url else pool.submit(_collect_feed, fetcher, item, entry_pool)
                for item in items
            ]
            results: list[Document | Failure] = []
            for future in futures:
                value = future.result()
                results.extend(value if isinstance(value, list) else [value])
            return results
    finally:
        if own:
            fetcher.close()
