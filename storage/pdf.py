"""Active content in PDFs: scripts, launch actions, attachments, rich media, XFA forms and auto-run actions.

The file is parsed by qpdf (through pikepdf) the way a viewer reads it: the cross-reference table or stream
(rebuilt if damaged), objects inside compressed object streams, names with ``#xx`` escapes decoded
(``/J#61vaScript`` is ``/JavaScript``), and the strings of a file encrypted with an owner password only
decrypted. Page contents and images are never decoded: actions, scripts and attachments live in
dictionaries, not in drawing operators.

What is refused, each with its own stable code (see docs/storage.md):

- ``pdf_javascript``: a JavaScript action (``/S /JavaScript``, or ``/JS`` in an action), a document-level
  ``/JavaScript`` name tree, 3D JavaScript (``/OnInstantiate``), a ``javascript:`` link;
- ``pdf_launch``: a ``/Launch`` action (runs a program or opens a file on the reader's machine);
- ``pdf_embedded_file``: attachments (``/EmbeddedFiles``, ``/EF`` file streams, ``/Type /EmbeddedFile``,
  ``/FileAttachment`` annotations, ``/GoToE``): their content cannot be checked here;
- ``pdf_rich_media``: ``/RichMedia`` annotations and ``/RichMediaExecute`` (Flash-era players);
- ``pdf_xfa``: XFA forms (scripted XML forms, deprecated since PDF 2.0);
- ``pdf_auto_action``: an action that runs by itself (``/OpenAction`` or an ``/AA`` trigger) and does more
  than show a place in the document. An ``/OpenAction`` that is a destination (``[page /Fit]``) or a
  ``/GoTo`` — what most PDF writers put there to choose the first view — is harmless and accepted, as are
  the view-only ``/Named`` page moves, ``/SetOCGState`` and ``/Trans``; an automatic ``/URI``,
  ``/SubmitForm``, ``/GoToR``, ``/ImportData``, ``/Rendition``… is refused. The same actions behind a link
  the reader clicks are accepted (a ``/URI`` link is an ordinary hyperlink).

Limits keep a hostile file cheap: at most ``PDF_MAX_OBJECTS`` objects, each object stream decoded to at most
``STREAM_MAX_DECODED`` bytes (qpdf's own limit), all object streams together to at most
``PDF_MAX_OBJECT_STREAMS_SIZE``; a file that breaks a limit, that qpdf cannot read, or whose objects
cannot all be read cannot be checked and is refused (``pdf_too_complex``, ``pdf_corrupt``), as is a file
that needs a password to open (``pdf_encrypted``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, BinaryIO, cast

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream
from pikepdf.settings import set_qpdf_limits

from storage.conf import StoragePolicy
from storage.exceptions import FileRejected, RejectionCode

MIB = 1024 * 1024
# qpdf's limits are process-wide; they are set once when the app is ready (see ``configure_qpdf``).
STREAM_MAX_DECODED = 32 * MIB
QPDF_MAX_WARNINGS = 1000
QPDF_MAX_CONTAINER_SIZE = 1_000_000

XREF_FREE, XREF_UNCOMPRESSED, XREF_COMPRESSED = 0, 1, 2
MAX_ACTION_CHAIN = 50

# Names that any refused construct contains; an object without one of them is skipped after one search
# of its unparsed text (qpdf writes names decoded, so an escaped name cannot slip past).
CANDIDATES = re.compile(
    rb"/(JS|JavaScript|Launch|EmbeddedFiles?|EF|FileAttachment|GoToE|RichMedia(?:Execute|Content)?|XFA"
    rb"|OpenAction|AA|URI|OnInstantiate)(?![^\s/<>\[\]()%{}])"
)
SCRIPT_NAMES = frozenset({b"JS", b"JavaScript", b"OnInstantiate"})
EMBEDDING_NAMES = frozenset({b"EF", b"EmbeddedFile", b"EmbeddedFiles", b"FileAttachment", b"GoToE"})
RICH_MEDIA_NAMES = frozenset({b"RichMedia", b"RichMediaExecute", b"RichMediaContent"})

S, N, NEXT, TYPE, SUBTYPE = Name("/S"), Name("/N"), Name("/Next"), Name("/Type"), Name("/Subtype")
JS, JAVASCRIPT, ON_INSTANTIATE = Name("/JS"), Name("/JavaScript"), Name("/OnInstantiate")
URI, LAUNCH, NAMED = Name("/URI"), Name("/Launch"), Name("/Named")
EF, EMBEDDED_FILE, EMBEDDED_FILES = Name("/EF"), Name("/EmbeddedFile"), Name("/EmbeddedFiles")
FILE_ATTACHMENT, GOTO_EMBEDDED = Name("/FileAttachment"), Name("/GoToE")
RICH_MEDIA, RICH_MEDIA_EXECUTE, RICH_MEDIA_CONTENT = (
    Name("/RichMedia"),
    Name("/RichMediaExecute"),
    Name("/RichMediaContent"),
)
XFA, OPEN_ACTION, AA = Name("/XFA"), Name("/OpenAction"), Name("/AA")
# Actions that only move the view inside the document: harmless when they run by themselves.
VIEW_ACTIONS = frozenset({Name("/GoTo"), Name("/SetOCGState"), Name("/Trans")})
STANDARD_NAMED_ACTIONS = frozenset({Name("/NextPage"), Name("/PrevPage"), Name("/FirstPage"), Name("/LastPage")})
SCRIPT_SCHEMES = (b"javascript:", b"vbscript:")
CONTROL_BYTES = bytes(range(33)) + b"\x7f"


def configure_qpdf() -> None:
    """Set qpdf's process-wide limits (called once from ``StorageConfig.ready``)."""
    set_qpdf_limits(
        flate_max_memory=STREAM_MAX_DECODED,
        run_length_max_memory=STREAM_MAX_DECODED,
        png_max_memory=STREAM_MAX_DECODED,
        tiff_max_memory=STREAM_MAX_DECODED,
        doc_max_warnings=QPDF_MAX_WARNINGS,
        parser_max_container_size=QPDF_MAX_CONTAINER_SIZE,
    )


def inspect_pdf(stream: IO[bytes], policy: StoragePolicy) -> None:
    """Raise ``FileRejected`` if the PDF in ``stream`` holds active content or cannot be checked.

    The stream is left open and rewound.
    """
    stream.seek(0)
    try:
        with pikepdf.open(cast(BinaryIO, stream)) as pdf:
            _inspect(pdf, policy)
    except pikepdf.PasswordError as e:
        raise FileRejected(
            RejectionCode.PDF_ENCRYPTED, "PDF защищён паролем на открытие: его содержимое нельзя проверить."
        ) from e
    except pikepdf.PdfError as e:
        raise _unreadable(str(e)) from e
    except UnicodeDecodeError as e:  # pikepdf decodes names as UTF-8 when it hands them over as text
        raise _unreadable(str(e)) from e
    finally:
        stream.seek(0)


def _inspect(pdf: pikepdf.Pdf, policy: StoragePolicy) -> None:
    table = pdf.get_xref_table()
    if len(table) > policy.pdf_max_objects:
        raise FileRejected(
            RejectionCode.PDF_TOO_COMPLEX,
            f"PDF слишком сложен для проверки: {len(table)} объектов (не более {policy.pdf_max_objects}).",
        )
    _check_object_streams(pdf, table, policy)
    objects = pdf.objects  # every object of the cross-reference, object streams decoded
    if any(obj is None for obj in objects):
        _check_nulls(pdf, table)
    for obj in objects:
        if obj is not None:
            _check_object(obj)


def _check_nulls(pdf: pikepdf.Pdf, table: dict[tuple[int, int], pikepdf.XrefEntry]) -> None:
    """A null where an object stream should have given an object means qpdf could not decode that stream:
    what it hides cannot be checked. (A null written as such in the file is harmless.)"""
    for objgen, entry in table.items():
        if entry.type == XREF_COMPRESSED and pdf.get_object(objgen) is None:
            raise _unreadable(" ".join(pdf.get_warnings()[-3:]))


def _check_object_streams(
    pdf: pikepdf.Pdf, table: dict[tuple[int, int], pikepdf.XrefEntry], policy: StoragePolicy
) -> None:
    """Bound the decoded size of all object streams together (qpdf bounds each one)."""
    numbers = {
        entry.obj_stream_number
        for entry in table.values()
        if entry.type == XREF_COMPRESSED and entry.obj_stream_number is not None
    }
    if len(numbers) * STREAM_MAX_DECODED <= policy.pdf_max_object_streams_size:
        return
    total = 0
    for number in sorted(numbers):
        holder = pdf.get_object((number, 0))
        if not isinstance(holder, Stream):
            raise _unreadable(f"object stream {number} is missing")
        total += len(holder.read_bytes())
        if total > policy.pdf_max_object_streams_size:
            raise FileRejected(
                RejectionCode.PDF_TOO_COMPLEX,
                "PDF слишком сложен для проверки: потоки объектов после распаковки больше "
                f"{policy.pdf_max_object_streams_size} байт.",
            )


def _unreadable(reason: str) -> FileRejected:
    if "memory limit" in reason:
        return FileRejected(
            RejectionCode.PDF_TOO_COMPLEX,
            f"PDF слишком сложен для проверки: поток распаковывается больше чем в {STREAM_MAX_DECODED} байт.",
        )
    return FileRejected(
        RejectionCode.PDF_CORRUPT,
        "PDF повреждён: не все его объекты читаются, поэтому файл нельзя проверить на сценарии и вложения.",
    )


def _check_object(obj: pikepdf.Object) -> None:
    root = obj.stream_dict if isinstance(obj, Stream) else obj
    if not isinstance(root, Dictionary | Array):
        return
    found = frozenset(CANDIDATES.findall(root.unparse(resolved=True)))
    if not found:
        return
    number, generation = obj.objgen
    for dictionary in _direct_dictionaries(root):
        _check_dictionary(dictionary, f"объект {number} {generation}", found)


def _direct_dictionaries(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """``root`` and the dictionaries written inside it (indirect ones are checked as objects of their own)."""
    stack = [root]
    while stack:
        current = stack.pop()
        if isinstance(current, Dictionary):
            yield current
            children = list(current.values())
        else:
            children = list(current)
        stack.extend(child for child in children if isinstance(child, Dictionary | Array) and not child.is_indirect)


def _check_dictionary(d: pikepdf.Object, where: str, found: frozenset[bytes]) -> None:
    """Apply the rules whose names occur in the object's text (``found``) to one of its dictionaries."""
    action = d.get(S)
    if found & SCRIPT_NAMES and _runs_script(d, action):
        raise _javascript(where)
    if b"URI" in found and action == URI and _is_script_uri(d.get(URI)):
        raise _javascript(where)
    if b"Launch" in found and action == LAUNCH:
        raise _launch(where)
    if found & EMBEDDING_NAMES and _is_embedded_file(d, action):
        raise FileRejected(
            RejectionCode.PDF_EMBEDDED_FILE,
            f"PDF содержит вложенные файлы ({where}): их содержимое нельзя проверить — "
            "загрузите их отдельными файлами.",
        )
    if found & RICH_MEDIA_NAMES and (
        d.get(SUBTYPE) == RICH_MEDIA or action == RICH_MEDIA_EXECUTE or RICH_MEDIA_CONTENT in d
    ):
        raise FileRejected(RejectionCode.PDF_RICH_MEDIA, f"PDF содержит встроенный проигрыватель /RichMedia ({where}).")
    if b"XFA" in found and XFA in d:
        raise FileRejected(
            RejectionCode.PDF_XFA,
            f"PDF содержит форму XFA ({where}) — формат форм со сценариями; сохраните документ без "
            "формы или с обычной формой (AcroForm).",
        )
    if b"OpenAction" in found:
        _check_open_action(d.get(OPEN_ACTION), where)
    if b"AA" in found:
        triggers = d.get(AA)
        if isinstance(triggers, Dictionary):
            for triggered in triggers.values():
                _check_automatic(triggered, f"по событию /AA, {where}", set(), 0)


def _runs_script(d: pikepdf.Object, action: object) -> bool:
    if action == JAVASCRIPT or (action is not None and JS in d):
        return True
    return isinstance(d.get(JAVASCRIPT), Dictionary) or ON_INSTANTIATE in d


def _is_embedded_file(d: pikepdf.Object, action: object) -> bool:
    if action == GOTO_EMBEDDED or EMBEDDED_FILES in d:
        return True
    if d.get(TYPE) == EMBEDDED_FILE or d.get(SUBTYPE) == FILE_ATTACHMENT:
        return True
    files = d.get(EF)
    return isinstance(files, Dictionary) and any(isinstance(value, Stream) for value in files.values())


def _is_script_uri(value: object) -> bool:
    if not isinstance(value, pikepdf.String):
        return False
    raw = bytes(value)
    if raw.startswith(b"\xfe\xff"):
        raw = raw[2:].decode("utf-16-be", "ignore").encode("latin-1", "ignore")
    # Browsers drop spaces and control characters inside a scheme: "java\tscript:" is "javascript:".
    return raw.translate(None, CONTROL_BYTES).lower().startswith(SCRIPT_SCHEMES)


def _check_open_action(value: object, where: str) -> None:
    """A destination (array, name or string) only chooses the first view; an action dictionary may run."""
    if isinstance(value, Dictionary):
        _check_automatic(value, f"при открытии документа, {where}", set(), 0)


def _check_automatic(action: object, when: str, seen: set[tuple[int, int]], depth: int) -> None:
    """An action that runs by itself may only move the view; its ``/Next`` chain is held to the same rule."""
    if not isinstance(action, Dictionary):
        return
    if action.is_indirect:
        if action.objgen in seen:
            return
        seen.add(action.objgen)
    if depth > MAX_ACTION_CHAIN:
        raise _automatic(when, "цепочку из более чем 50 действий")
    kind = action.get(S)
    if kind == JAVASCRIPT:
        raise _javascript(when)
    if kind == LAUNCH:
        raise _launch(when)
    harmless = kind in VIEW_ACTIONS or (kind == NAMED and action.get(N) in STANDARD_NAMED_ACTIONS)
    if not harmless:
        raise _automatic(when, f"действие {_name(kind)}")
    following = action.get(NEXT)
    for step in following if isinstance(following, Array) else [following]:
        _check_automatic(step, when, seen, depth + 1)


def _javascript(where: str) -> FileRejected:
    return FileRejected(
        RejectionCode.PDF_JAVASCRIPT, f"PDF содержит JavaScript ({where}): сценарии в PDF не принимаются."
    )


def _launch(where: str) -> FileRejected:
    return FileRejected(
        RejectionCode.PDF_LAUNCH,
        f"PDF содержит действие /Launch — запуск программы или файла ({where}); не принимается.",
    )


def _automatic(when: str, what: str) -> FileRejected:
    return FileRejected(
        RejectionCode.PDF_AUTO_ACTION,
        f"PDF сам выполняет {what} ({when}); без участия читателя допустим только переход внутри документа.",
    )


def _name(value: object) -> str:
    """A PDF name as written (``/URI``), whatever bytes it holds."""
    if isinstance(value, Name):
        return value.unparse().decode("ascii", "replace")
    return "без типа"
