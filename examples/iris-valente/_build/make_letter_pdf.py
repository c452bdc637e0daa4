"""Build letter-to-volunteers.pdf for the Iris Valente example.

Run from anywhere:  python make_letter_pdf.py
The PDF is written to ../letter-to-volunteers.pdf relative to this script.
Output is byte-reproducible (fixed creation date and metadata).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_build"))
from letter_pdf import build_letter  # noqa: E402  (examples/_build: the shared letter layout)

TITLE = "A Letter to New Volunteers"
AUTHOR = "Iris Valente"

HEADER_LINES = [
    "The Gullhaven Shore Count",
    "Top of the slipway, by the lifeboat station, Gullhaven",
]

SALUTATION = "Dear new volunteer,"

PARAGRAPHS = [
    "Welcome to the Shore Count. I am very glad you are here. You have signed up for "
    "something that looks small from the outside: a few people crouched on wet rock at "
    "low water, counting snails and writing things down in pencil. From the inside it is "
    "not small at all. It is one of the longest careful looks anyone has taken at this "
    "stretch of coast, and from now on some of that looking will be yours.",

    "Let me tell you honestly what your first morning will be like. You will be cold. "
    "Your knees will get wet, whatever trousers you wear. Someone will hand you a "
    "clipboard, a pencil and a square frame, and point you at a patch of shore that seems, "
    "at first glance, to contain nothing much. For ten minutes or so you may feel that you "
    "are doing nothing useful. You are. Stay put. The patch will start to show you things. "
    "It always does, and it will not hurry on your account.",

    "There is one rule I will ask you to learn before any names of animals: look twice, "
    "write once. Look at the thing. Look away. Look again. Then write down what you "
    "actually saw, not what you expected to see. If you saw a dark shape about the length "
    "of your thumb, write that. Do not write 'blenny' because a blenny would make a better "
    "story. We keep what we saw on the left-hand page and what we think it means on the "
    "right-hand page, and we try very hard not to let the two leak into each other.",

    "You will be wrong sometimes. So will I. I have been doing this for more than twenty "
    "years and I still mix up two kinds of top shell on a grey morning, and I once spent "
    "a quarter of an hour admiring an unusual sea slug that turned out to be a piece of "
    "folded weed. Being wrong is not the problem. Hiding it is. If you are not sure, write "
    "'not sure'. If you could not count because everything kept moving, write that too. "
    "An honest blank is worth far more to us than a confident guess, because the people "
    "who read these notebooks in ten years' time need to know which is which.",

    "A few things about looking after the shore, and yourself. Always check the tide time "
    "before you set out, and never turn your back on the sea for long. If you lift a rock, "
    "lift it gently and put it back exactly the way it was, the same side up. The animals "
    "under there live on that underside, and a rock left upside down is a small house with "
    "its roof torn off. Leave everything where you found it. We take notes, not souvenirs.",

    "You may wonder whether your counts matter, especially on the days when the weather is "
    "dull and the pools are quiet and you have written down the same eleven anemones as "
    "last month. They matter a great deal. Ordinary records are the whole foundation of "
    "what we do. Nobody can say that something on this coast has changed unless somebody "
    "bothered to write down what normal looked like. The tide keeps better notes than we "
    "do, and it has been keeping them for a very long time. But ours are the ones people "
    "can read, and every careful page you add makes them a little more trustworthy.",

    "For your first few sessions, please bring a warm layer, a waterproof if the sky looks "
    "doubtful, boots or shoes with a good grip, a flask of something hot, and a pencil. "
    "Not a pen. Pens and sea spray are not friends. We have spare notebooks, spare frames "
    "and a box of spare gloves of wildly different sizes. We meet at the top of the "
    "slipway, twenty minutes before low water, whatever the forecast says, and we decide "
    "together whether it is safe to go down.",

    "Finally, be patient with the shore and with yourself. Patience is a kind of attention. "
    "It is not the same as waiting. Waiting is looking at your watch; patience is looking "
    "at the pool, and then looking at it again. Nobody expects you to know everything by "
    "the end of the spring, least of all me. I am looking forward to meeting you on the "
    "rocks, and to reading what you see there.",
]

CLOSING = "With warm wishes and cold hands,"
SIGNATURE = ["Iris Valente", "Shore Count coordinator, Gullhaven"]


def build(out_path: Path) -> None:
    build_letter(out_path, title=TITLE, author=AUTHOR, subject="Welcome letter for new Shore Count volunteers", creator="make_letter_pdf.py", keywords="Shore Count, volunteers, tide pools, Gullhaven", lang="en",
                 header_lines=HEADER_LINES, salutation=SALUTATION, paragraphs=PARAGRAPHS, closing=CLOSING, signature=SIGNATURE)


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    build(here.parent / "letter-to-volunteers.pdf")
