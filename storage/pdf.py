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
    rb"/(?:JS|JavaScript|Launch|EmbeddedFiles?|EF|FileAttachment|GoToE|RichMedia\w*|XFA|OpenAction|AA|URI"
    rb"|OnInstantiate)(?![^\s/<>\[\]()%{}])"
)
# Actions that only move the view inside the document: harmless when they run by themselves.
VIEW_ACTIONS = frozenset({Name.GoTo, Name.SetOCGState, Name.Trans})
STANDARD_NAMED_ACTIONS = frozenset({Name.NextPage, Name.PrevPage, Name.FirstPage, Name.LastPage})
SCRIPT_SCHEMES = ("javascript:", "vbscript:")


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
    for objgen, entry in table.items():
        if entry.type == XREF_FREE:
            continue
        obj = pdf.get_object(objgen)
        if obj is None:
            if entry.type == XREF_COMPRESSED:
                # qpdf could not decode the object stream: what it hides cannot be checked.
                raise _unreadable(" ".join(pdf.get_warnings()[-3:]))
            continue
        _check_object(obj, objgen)


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


def _check_object(obj: pikepdf.Object, objgen: tuple[int, int]) -> None:
    root = obj.stream_dict if isinstance(obj, Stream) else obj
    if not isinstance(root, Dictionary | Array):
        return
    if CANDIDATES.search(root.unparse(resolved=True)) is None:
        return
    for dictionary in _direct_dictionaries(root):
        _check_dictionary(dictionary, f"объект {objgen[0]} {objgen[1]}")


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


def _check_dictionary(d: pikepdf.Object, where: str) -> None:
    action = d.get(Name.S)
    if action == Name.JavaScript or (action is not None and Name.JS in d):
        raise _javascript(where)
    if isinstance(d.get(Name.JavaScript), Dictionary) or Name.OnInstantiate in d:
        raise _javascript(where)
    if action == Name.URI and _is_script_uri(d.get(Name.URI)):
        raise _javascript(where)
    if action == Name.Launch:
        raise _launch(where)
    if _is_embedded_file(d, action):
        raise FileRejected(
            RejectionCode.PDF_EMBEDDED_FILE,
            f"PDF содержит вложенные файлы ({where}): их содержимое нельзя проверить — "
            "загрузите их отдельными файлами.",
        )
    if d.get(Name.Subtype) == Name.RichMedia or action == Name.RichMediaExecute or Name.RichMediaContent in d:
        raise FileRejected(RejectionCode.PDF_RICH_MEDIA, f"PDF содержит встроенный проигрыватель /RichMedia ({where}).")
    if Name.XFA in d:
        raise FileRejected(
            RejectionCode.PDF_XFA,
            f"PDF содержит форму XFA ({where}) — формат форм со сценариями; сохраните документ без "
            "формы или с обычной формой (AcroForm).",
        )
    if Name.OpenAction in d:
        _check_open_action(d.get(Name.OpenAction), where)
    triggers = d.get(Name.AA)
    if isinstance(triggers, Dictionary):
        for triggered in triggers.values():
            _check_automatic(triggered, f"по событию /AA, {where}", set(), 0)


def _is_embedded_file(d: pikepdf.Object, action: object) -> bool:
    if action == Name.GoToE or Name.EmbeddedFiles in d:
        return True
    if d.get(Name.Type) == Name.EmbeddedFile or d.get(Name.Subtype) == Name.FileAttachment:
        return True
    files = d.get(Name.EF)
    return isinstance(files, Dictionary) and any(isinstance(value, Stream) for value in files.values())


def _is_script_uri(value: object) -> bool:
    if not isinstance(value, pikepdf.String):
        return False
    raw = bytes(value)
    decoded = raw[2:].decode("utf-16-be", "ignore") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    text = "".join(ch for ch in decoded if ch.isprintable() and not ch.isspace()).lower()
    return text.startswith(SCRIPT_SCHEMES)


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
    kind = action.get(Name.S)
    if kind == Name.JavaScript:
        raise _javascript(when)
    if kind == Name.Launch:
        raise _launch(when)
    harmless = kind in VIEW_ACTIONS or (kind == Name.Named and action.get(Name.N) in STANDARD_NAMED_ACTIONS)
    if not harmless:
        raise _automatic(when, f"действие {_name(kind)}")
    following = action.get(Name.Next)
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
