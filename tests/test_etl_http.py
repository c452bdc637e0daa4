"""HTTP collection against a real local server on 127.0.0.1 (no internet): retries, backoff,
Retry-After, timeouts, size caps, per-host politeness, feeds, and failure recording."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lendaria.errors import NothingCollectedError
from lendaria.settings import Settings
from lendaria.yamlio import load_yaml
from stages.etl.remote import Fetcher, FetchError, collect_remote_items
from stages.etl.run import run_etl
from stages.etl.sources import Document, Failure
from stages.etl.spec import SourceItem
from tests.conftest import DEMO_SPEC, snapshot, write_spec

BLOG = (DEMO_SPEC.parent / "blog-slow-looking.html").read_bytes()
ARTICLE = b"<html><head><title>Entry Two</title></head><body><nav>Menu</nav><article><h1>Entry Two</h1><p>" + b"The second entry lives on its own page and has words. " * 10 + b"</p></article></body></html>"
RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Rockpool Ledger</title>
<item><title>Entry One</title><link>http://HOST/entry-one</link>
<content:encoded><![CDATA[<p>Entry one has its full text inside the feed, with enough words to count.</p>]]></content:encoded></item>
<item><title>Entry Two</title><link>http://HOST/entry-two</link><description>short</description></item>
</channel></rss>"""


class State:
    def __init__(self):
        self.hits: dict[str, int] = {}
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()
        self.down = False


@pytest.fixture
def server():
    state = State()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, body=b"", content_type="text/html; charset=utf-8", headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path
            with state.lock:
                state.hits[path] = state.hits.get(path, 0) + 1
                hits = state.hits[path]
                state.active += 1
                state.max_active = max(state.max_active, state.active)
            try:
                host = f"127.0.0.1:{self.server.server_address[1]}".encode()
                if path == "/blog.html":
                    self._send(200, BLOG)
                elif path == "/flaky":
                    self._send(503 if hits <= 2 else 200, BLOG)
                elif path == "/limited":
                    self._send(429, b"slow down", headers={"Retry-After": "0"}) if hits == 1 else self._send(200, BLOG)
                elif path == "/always-500":
                    self._send(500, b"broken")
                elif path == "/missing":
                    self._send(404, b"not here")
                elif path == "/big":
                    self._send(200, b"<p>" + b"x" * 50_000 + b"</p>")
                elif path == "/slow":
                    time.sleep(1.0)
                    self._send(200, BLOG)
                elif path.startswith("/polite/"):
                    time.sleep(0.15)
                    self._send(200, b"<html><body><article><p>Polite page " + path.encode() + b" with a few words in it.</p></article></body></html>")
                elif path == "/toggle":
                    self._send(503, b"down") if state.down else self._send(200, b"Toggle page text, present when up.", "text/plain")
                elif path == "/talk.vtt":
                    self._send(200, b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Host>Question?\n\n00:00:02.500 --> 00:00:04.000\n<v Iris>My own answer.\n", "text/plain")
                elif path == "/notes.txt":
                    self._send(200, "Plain notes, caf\u00e9 and all.".encode("utf-8"), "text/plain; charset=utf-8")
                elif path == "/image.png":
                    self._send(200, b"\x89PNG\r\n", "image/png")
                elif path == "/feed.xml":
                    self._send(200, RSS.replace(b"HOST", host), "application/rss+xml")
                elif path == "/entry-two":
                    self._send(200, ARTICLE)
                else:
                    self._send(404, b"")
            finally:
                with state.lock:
                    state.active -= 1

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, state
    httpd.shutdown()
    httpd.server_close()


def fast_settings(**overrides) -> Settings:
    values = dict(http_backoff=0.01, http_max_backoff=0.05, http_timeout=2.0, http_retries=3)
    values.update(overrides)
    return Settings(**values)


def test_get_html_page(server):
    base, _ = server
    with Fetcher(fast_settings()) as fetcher:
        response = fetcher.get(f"{base}/blog.html")
    assert response.media_type == "text/html" and response.charset == "utf-8" and response.body == BLOG


def test_retries_5xx_with_backoff_then_succeeds(server):
    base, state = server
    delays = []
    with Fetcher(fast_settings(), sleep=delays.append) as fetcher:
        fetcher.get(f"{base}/flaky")
    assert state.hits["/flaky"] == 3
    assert delays == [0.01, 0.02]  # exponential


def test_429_honours_retry_after(server):
    base, state = server
    delays = []
    with Fetcher(fast_settings(http_backoff=0.0), sleep=delays.append) as fetcher:
        fetcher.get(f"{base}/limited")
    assert state.hits["/limited"] == 2 and delays == [0.0]


def test_gives_up_after_bounded_retries(server):
    base, state = server
    with Fetcher(fast_settings(http_retries=2), sleep=lambda s: None) as fetcher, pytest.raises(FetchError, match="HTTP 500 .after 3 attempts"):
        fetcher.get(f"{base}/always-500")
    assert state.hits["/always-500"] == 3


def test_4xx_is_not_retried(server):
    base, state = server
    with Fetcher(fast_settings(), sleep=lambda s: None) as fetcher, pytest.raises(FetchError, match="HTTP 404"):
        fetcher.get(f"{base}/missing")
    assert state.hits["/missing"] == 1


def test_timeout_is_enforced(server):
    base, _ = server
    with Fetcher(fast_settings(http_timeout=0.2, http_retries=0)) as fetcher, pytest.raises(FetchError, match="Timeout"):
        fetcher.get(f"{base}/slow")


def test_size_cap_on_downloads(server):
    base, _ = server
    with Fetcher(fast_settings(max_source_bytes=10_000)) as fetcher, pytest.raises(FetchError, match="limit"):
        fetcher.get(f"{base}/big")


def test_per_host_limit_is_respected(server):
    base, state = server
    items = [SourceItem(index=i, url=f"{base}/polite/{i}") for i in range(6)]
    results = collect_remote_items(items, fast_settings(http_concurrency=6, http_per_host=2))
    assert all(isinstance(r, Document) for r in results)
    assert state.max_active <= 2
    assert [r.item.index for r in results] == list(range(6))  # spec order kept


def test_feed_entries_become_sources(server):
    base, state = server
    results = collect_remote_items([SourceItem(index=0, feed=f"{base}/feed.xml")], fast_settings())
    assert [type(r) for r in results] == [Document, Document]
    one, two = results
    assert one.extracted.title == "Entry One" and "full text inside the feed" in one.extracted.text
    assert "Menu" not in two.extracted.text and "second entry lives on its own page" in two.extracted.text
    assert one.origin.feed == f"{base}/feed.xml" and one.origin.location == f"{base}/entry-one"
    assert state.hits.get("/entry-one") is None  # full content in the feed: no extra request


def test_feed_ids_come_from_links_and_spec_title_does_not_rename_entries(server):
    base, _ = server
    first = collect_remote_items([SourceItem(index=0, feed=f"{base}/feed.xml", title="My feed")], fast_settings())
    assert [r.title for r in first] == ["Entry One", "Entry Two"]
    assert [r.source_id.rsplit("-", 1)[0] for r in first] == ["entry-one", "entry-two"]


def test_transcript_served_as_plain_text_is_parsed_by_extension(server):
    base, _ = server
    [result] = collect_remote_items([SourceItem(index=0, url=f"{base}/talk.vtt", speaker="Iris", title="Talk")], fast_settings())
    assert isinstance(result, Document) and result.extracted.text == "My own answer.\n" and result.title == "Talk"


def test_feed_limit(server):
    base, _ = server
    results = collect_remote_items([SourceItem(index=0, feed=f"{base}/feed.xml", limit=1)], fast_settings())
    assert len(results) == 1


def test_unsupported_content_type_is_a_failed_source(server):
    base, _ = server
    [result] = collect_remote_items([SourceItem(index=0, url=f"{base}/image.png")], fast_settings())
    assert isinstance(result, Failure) and "unsupported content type image/png" in result.error


def test_unreachable_url_is_recorded_and_the_run_continues(server, tmp_path, unused_port):
    base, _ = server
    (tmp_path / "local.txt").write_text("A local file with words.")
    spec = write_spec(tmp_path, [
        {"path": "local.txt"},
        {"url": f"http://127.0.0.1:{unused_port}/gone"},
        {"url": f"{base}/notes.txt", "title": "Notes"},
    ])
    result = run_etl(spec, tmp_path / "out", fast_settings(http_retries=1))
    assert result.totals["collected"] == 2 and result.totals["failed"] == 1
    metadata = load_yaml((result.sources_dir / "metadata.yaml").read_text())
    failed = [e for e in metadata["sources"] if e["status"] == "failed"]
    assert len(failed) == 1 and "ConnectError" in failed[0]["error"] and f":{unused_port}/gone" in failed[0]["origin"]["location"]
    assert [e["origin"]["kind"] for e in metadata["sources"]] == ["file", "url", "url"]  # spec order


def test_nothing_collected_exits_distinctly_and_keeps_earlier_outputs(server, tmp_path, unused_port):
    base, _ = server
    out = tmp_path / "out"
    spec = write_spec(tmp_path, [{"url": f"http://127.0.0.1:{unused_port}/gone"}])
    with pytest.raises(NothingCollectedError) as info:
        run_etl(spec, out, fast_settings(http_retries=0))
    assert info.value.exit_code == 3 and "nothing was collected" in str(info.value)
    first = load_yaml((out / "minds" / "test-mind" / "sources" / "metadata.yaml").read_text())
    assert first["totals"]["failed"] == 1  # recorded, since there was nothing earlier

    good = write_spec(tmp_path, [{"url": f"{base}/notes.txt"}])
    run_etl(good, out, fast_settings())
    before = snapshot(out)
    write_spec(tmp_path, [{"url": f"http://127.0.0.1:{unused_port}/gone"}])
    with pytest.raises(NothingCollectedError):
        run_etl(spec, out, fast_settings(http_retries=0))
    assert snapshot(out) == before  # a run that collects nothing never replaces a collection


def test_failed_refetch_keeps_the_earlier_version(server, tmp_path):
    base, state = server
    out = tmp_path / "out"
    (tmp_path / "local.txt").write_text("A local file with words.")
    spec = write_spec(tmp_path, [{"path": "local.txt"}, {"url": f"{base}/toggle"}])
    first = run_etl(spec, out, fast_settings())
    assert first.totals["collected"] == 2
    [remote_file] = [p for p in first.sources_dir.glob("toggle-*.md")]
    content = remote_file.read_bytes()

    state.down = True  # the same URL now fails
    second = run_etl(spec, out, fast_settings(http_retries=0))
    assert second.totals == {**first.totals, "collected": 1, "kept": 1}
    assert remote_file.read_bytes() == content
    metadata = load_yaml((second.sources_dir / "metadata.yaml").read_text())
    [kept] = [e for e in metadata["sources"] if e["status"] == "kept"]
    assert "HTTP 503" in kept["error"] and kept["file"] == remote_file.name

    state.down = False  # back up: collected again, byte-identical to the first run
    third = run_etl(spec, out, fast_settings())
    assert third.totals == first.totals


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
