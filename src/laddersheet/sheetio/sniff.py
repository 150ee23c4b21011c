"""The kind of a file by its content (magic bytes, zip parts), never by its name."""

from __future__ import annotations

import io
import mmap
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from .model import MIB
from .scan import _declared_entry_count

# --- kind by content ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a part, or an empty archive
_ODS_MIMETYPES = (
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.spreadsheet-template",
)
_SNIFF_TEXT_BYTES = 64 * 1024
_SMALL_PART_BYTES = MIB  # what we read of a part just to tell the kind


def _utf16le(text: str) -> bytes:
    return text.encode("utf-16-le")


def sniff_kind(path: Path) -> str:
    """The kind of file by content, whatever its name says.

    One of "xlsx", "xlsm", "ods", "xls", "encrypted", "csv", "pdf", "empty", "zip" (an archive
    that is not a workbook, or a damaged one) and "unknown".
    """
    with open(path, "rb") as handle:
        try:
            view = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # mmap refuses empty files
            return "empty"
        except OSError:  # not mappable (a pipe, some network file systems)
            return _sniff(handle.read())
        with view:
            return _sniff(view, handle)


def _sniff(buf: bytes | mmap.mmap, stream: BinaryIO | None = None) -> str:
    """The kind of ``buf``; zip archives are listed through ``stream`` (default: ``buf``)."""
    if len(buf) == 0:
        return "empty"
    head = bytes(buf[:8])
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(buf)
    if head.startswith(_ZIP_MAGICS):
        if _declared_entry_count(buf) > 100_000:
            return "zip"  # too many parts to even list safely
        try:
            with zipfile.ZipFile(stream or io.BytesIO(buf)) as archive:
                return _zip_kind(archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
            return "zip"
    text = _text_kind(bytes(buf[:_SNIFF_TEXT_BYTES]))
    return "csv" if text == "csv" else "unknown"


def _ole_kind(buf: bytes | mmap.mmap) -> str:
    # An OLE compound file: encrypted OOXML (Office "password to open") or a legacy .xls. The
    # stream names live in directory sectors, UTF-16LE, anywhere in the file: a byte search is
    # enough to tell, and cheaper and safer than parsing the sector chains.
    if buf.find(_utf16le("EncryptionInfo")) >= 0 or buf.find(_utf16le("EncryptedPackage")) >= 0:
        return "encrypted"
    if buf.find(_utf16le("Workbook")) >= 0 or buf.find(_utf16le("Book\0")) >= 0:
        return "xls"
    return "unknown"


def _zip_kind(archive: zipfile.ZipFile) -> str:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if any(info.flag_bits & 0x1 for info in infos):
        return "encrypted"
    try:
        if "mimetype" in names:
            mimetype = _read_small(archive, "mimetype").strip()
            if mimetype in _ODS_MIMETYPES:
                manifest = _read_small(archive, "META-INF/manifest.xml")
                return "encrypted" if b"encryption-data" in manifest else "ods"
        if "[Content_Types].xml" in names:
            content_types = _read_small(archive, "[Content_Types].xml")
            if b"ms-excel.sheet.macroEnabled.main+xml" in content_types or (
                b"ms-excel.template.macroEnabled.main+xml" in content_types
            ):
                return "xlsm"
            if b"spreadsheetml.sheet.main+xml" in content_types or (
                b"spreadsheetml.template.main+xml" in content_types
            ):
                return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
        if "xl/workbook.xml" in names:  # content types missing or odd: the workbook decides
            return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error):
        return "zip"
    return "zip"


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    if name not in archive.NameToInfo:
        return b""
    with archive.open(name) as part:
        return part.read(_SMALL_PART_BYTES)  # inflates at most this much


def _text_kind(head: bytes) -> str | None:
    """Tell delimited text ("csv") from other text ("text") and from binary data (None)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif b"\0" in head:
        return None
    else:
        text = head.decode("utf-8", errors="replace")
        if text.count("\ufffd") > len(text) // 20:
            return None
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines or lines[0].lstrip().startswith("<"):
        return "text"
    return "csv" if any(sep in lines[0] for sep in (",", ";", "\t", "|")) else "text"


def _describe(data: bytes, kind: str, archive: zipfile.ZipFile | None) -> str:
    """What a file that is not a workbook looks like, for the person who sent it."""
    if kind == "pdf":
        return "a PDF document"
    if kind == "xls":
        return "a legacy Excel 97-2003 workbook (.xls)"
    if kind == "csv":
        return "a CSV text file"
    if data.startswith(_OLE_MAGIC):
        return "an old-style Office document that is not a spreadsheet"
    if archive is not None:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "a Word document"
        if "ppt/presentation.xml" in names:
            return "a PowerPoint presentation"
        if "xl/workbook.bin" in names:
            return "an Excel binary workbook (.xlsb)"
        if "mimetype" in names:
            return "an OpenDocument file that is not a spreadsheet"
        return "a ZIP archive, not a workbook"
    if data.startswith(b"\x89PNG") or data.startswith(b"\xff\xd8\xff") or data[:4] == b"GIF8":
        return "an image"
    text = _text_kind(data[:_SNIFF_TEXT_BYTES])
    if text is None:
        return "binary data of an unknown kind"
    start = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")):
        return "a web page (HTML), as some systems export 'Excel' files"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in data[:8192]:
        return "an Excel 2003 XML spreadsheet"
    if start.startswith(b"<?xml"):
        return "an XML file"
    return "plain text"
