"""Plain text of rich-text HTML: today's output rules pinned case by case, one at a time and
in batches (``texts`` shares one parse between fragments, which must never leak between them).

The expected values of SAME were produced by the stdlib-HTMLParser version this module replaced;
CHANGED lists the inputs where the lexbor version differs, each with why.
"""

from __future__ import annotations

import random

import pytest

from transforms.richtext import BATCH, MARK, html_to_text, texts

SAME: list[tuple[str | None, str | None]] = [
    # None, empty and whitespace
    (None, None),
    ("", ""),
    (" ", ""),
    ("  \t \n ", ""),
    ("plain words", "plain words"),
    ("a  \t  b", "a b"),
    (" x \n\n\n y ", "x\ny"),
    ("tab\there", "tab here"),
    ("a\xa0 b", "a\xa0 b"),
    ("<p>a\xa0\xa0b</p>", "a\xa0\xa0b"),
    ("<p>\xa0</p>x", "x"),
    ("a\u2028b", "a\u2028b"),
    ("a\x00b", "a\x00b"),
    ("a\rb", "a\rb"),
    ("a\r\nb", "a\nb"),
    ("<b>a\r\nb</b>", "a\nb"),
    # every block tag ends a line
    ("<div>a</div><div>b</div>", "a\nb"),
    ("<p>one</p><p>two</p>", "one\ntwo"),
    ("<h1>T</h1>body", "T\nbody"),
    ("<h2>T</h2>body", "T\nbody"),
    ("<h3>T</h3>body", "T\nbody"),
    ("a<br>b", "a\nb"),
    ("a<br/>b", "a\nb"),
    ("a<BR />b", "a\nb"),
    ("<pre>  code\n   indented  </pre>after", "code\nindented\nafter"),
    ("<blockquote>quote</blockquote>after", "quote\nafter"),
    ("<ul><li>one</li><li>two</li></ul>", "one\ntwo"),
    ("<ol><li>1</li><li>2</li></ol>", "1\n2"),
    ("<figure><img src='x.png'><figcaption>A photo</figcaption></figure>after", "A photo\nafter"),
    ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "ab\nc"),
    ("<DIV>UPPER</DIV><Br>x", "UPPER\nx"),
    ("<div class='x' id=y>attrs</div>", "attrs"),
    ("<div\tclass=x>t</div>", "t"),
    ("<div>\t\ttabs\t</div>", "tabs"),
    ("<div> </div><div>\n</div>", ""),
    ("<br><br><br>x<br><br>", "x"),
    ("<p></p><p></p>", ""),
    # inline and unknown tags keep their words on the line
    ("<strong>b</strong> <em>i</em> <strike>s</strike> <a href='https://x'>link</a> "
     "<span>s</span> <b>b</b><i>i</i><u>u</u><del>d</del>", "b i s link s biud"),
    ("<h4>not a block</h4>x<section>y</section>", "not a blockxy"),
    ("<divx>not a block</divx>y", "not a blocky"),
    ("<img src=x alt='alt text'>", ""),
    ("<svg><text>svg</text></svg>", "svg"),
    ("<select><option>o1<option>o2</select>", "o1o2"),
    # attachments: caption, else filename
    ('<bc-attachment caption="Cap" filename="f.png"></bc-attachment>', "Cap"),
    ('<bc-attachment filename="f.png"></bc-attachment>', "f.png"),
    ('<bc-attachment caption="" filename="f.png"></bc-attachment>', "f.png"),
    ('<bc-attachment sgid="x"></bc-attachment>', ""),
    ('<div>see <bc-attachment sgid="x" content-type="application/vnd.basecamp.mention">'
     '<figure><img src="a.png"><figcaption>Ann</figcaption></figure></bc-attachment> please'
     "</div>", "see\nAnn\nplease"),
    ('<div>x<bc-attachment caption="a &amp; b">inner</bc-attachment>y</div>', "xa & binnery"),
    ('<BC-ATTACHMENT CAPTION="Upper"></BC-ATTACHMENT>', "Upper"),
    # entities
    ("a &amp; b", "a & b"),
    ("&lt;tag&gt; &quot;q&quot; &#39;s&#39;", "<tag> \"q\" 's'"),
    ("&copy 2024", "\xa9 2024"),
    ("&notit;", "\xacit;"),
    ("&#65;&#x42;", "AB"),
    ("&#128;", "\u20ac"),
    ("&#0;", "\ufffd"),
    ("&nbsp;x&nbsp;", "x"),
    ("&unknown; &AMP;", "&unknown; &"),
    ("a &amp b", "a & b"),
    ("<div>\U0001f600 &#x1F600;</div>", "\U0001f600 \U0001f600"),
    ("\U0001f600 <b>\U0001d11e</b> emoji", "\U0001f600 \U0001d11e emoji"),
    # bare '<' and '&'
    ("&", "&"),
    ("a & b", "a & b"),
    ("a < b", "a < b"),
    ("1 <2", "1 <2"),
    ("<", "<"),
    ("<<>>", "<<>>"),
    ("x <", "x <"),
    # unclosed, misnested and stray tags
    ("<div>unclosed", "unclosed"),
    ("<div><p>nested <b>bold", "nested bold"),
    ("<div>a<div>b</div>c</div>", "a\nb\nc"),
    ("a</div>b", "a\nb"),
    ("a</p>b", "a\nb"),
    ("<div>a</span>b</div>", "ab"),
    ("<b>a<div>b</b>c</div>", "a\nbc"),
    ("<table>x<tr><td>y</td></tr></table>", "x\ny"),
    ("<table><td>a</table>b", "ab"),
    ("<ul><li>a<li>b</ul>", "a\nb"),
    # script and style text is kept (as before); comments, CDATA, declarations are not
    ("<script>var x = 1 &amp; 2;</script>after", "var x = 1 &amp; 2;after"),
    ("<style>p { color: red }</style>after", "p { color: red }after"),
    ("<div><!-- a comment --> text</div>", "text"),
    ("a<!--x-->b", "ab"),
    ("<![CDATA[cdata]]>x", "x"),
    ("<?xml version='1.0'?>x", "x"),
    ("<!DOCTYPE html><html><head><title>T</title></head><body><p>b</p></body></html>", "T\nb"),
    # the batch marker inside the input is just a character
    (MARK, MARK),
    (f"<b>{MARK}</b>", MARK),
    # long input
    ("word " * 20000, ("word " * 20000).strip()),
    ("<div>" * 300 + "deep" + "</div>" * 300, "deep"),
    ("<p>" + "&amp;" * 5000 + "</p>", "&" * 5000),
]

# Where the lexbor version differs from the stdlib one; all are outside what Basecamp serves.
CHANGED: list[tuple[str, str]] = [
    # Markup cut off at the end is dropped, as a browser does, instead of kept as text.
    ("<!-- unclosed comment", ""),
    ("a <div", "a"),
    ("a <div class='x", "a"),
    ("<div>a</div", "a"),
    ("a<b", "a"),
    # Inside markup the HTML input rules apply: NUL dropped, a lone CR is a line end.
    ("<div>a\x00b</div>", "ab"),
    ("<b>a\rb</b>", "a\nb"),
    # A numeric reference to a control or noncharacter is kept (html.unescape dropped it).
    ("&#xfdd0;x", "\ufdd0x"),
    ("&#1;x", "\x01x"),
    # Attributes follow the HTML spec: the first of two wins, and "&amp" without ";" before
    # a letter or "=" stays as written.
    ('<bc-attachment caption="one" caption="two"></bc-attachment>', "one"),
    ('<bc-attachment caption="a&ampb=c"></bc-attachment>', "a&ampb=c"),
    # A block tag's name inside an attribute value or script text also starts a line there.
    ('<bc-attachment caption="x<div>y"></bc-attachment>', "x\n<div>y"),
    # textarea/xmp hold text, not tags; template content is inert (not rendered).
    ("<textarea><b>t</b></textarea>", "<b>t</b>"),
    ("<xmp><b>x</b></xmp>", "<b>x</b>"),
    ("<template>tp</template>x", "x"),
    ("<script>var x = '<div>';</script>after", "var x = '\n<div>';after"),
]


@pytest.mark.parametrize(("html", "text"), SAME + CHANGED)
def test_html_to_text(html: str | None, text: str | None) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(("html", "text"), SAME + CHANGED)
def test_texts_of_one_matches_html_to_text(html: str | None, text: str | None) -> None:
    assert texts([html]) == [text]


def test_texts_keeps_order_and_none() -> None:
    assert texts([]) == []
    assert texts([None, "<div>a</div>b", None, "plain", "&amp;"]) == [None, "a\nb", None,
                                                                       "plain", "&"]


@pytest.mark.parametrize("seed", range(4))
def test_fragments_in_one_batch_never_leak_into_each_other(seed: int) -> None:
    """Shuffled batches longer than BATCH, full of unclosed tags, raw-text elements, comments
    and markers, give each fragment exactly its text alone."""
    rnd = random.Random(seed)
    cases = SAME + CHANGED
    batch = [rnd.choice(cases) for _ in range(BATCH * 3 + 7)]
    assert texts([html for html, _ in batch]) == [text for _, text in batch]


def test_a_swallowed_marker_is_detected() -> None:
    """An unclosed tag at a fragment's end eats the separator: the batch is redone in parts."""
    fragments = ["<b>one</b>", "two <div class='x", "<p>three</p>", "four"] * 50
    assert texts(fragments) == ["one", "two", "three", "four"] * 50
