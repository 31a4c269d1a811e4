"""A zip archive written reproducibly and with every core.

``zipfile`` deflates an entry on one core. A deck's collection is tens of megabytes, so
here each 4 MiB slice is deflated on its own (threads: zlib releases the GIL), ended with
a full flush, and the pieces are joined into one valid deflate stream, as pigz does. Only
a few slices are in memory at a time.
The bytes depend only on the input and the fixed slice size, never on the worker count.
Entries get a fixed date and normal file permissions. ``zipfile`` reads the result.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from .faults import point

SLICE = 4 << 20
LEVEL = 1  # three times faster than the default for a 15% bigger file
_LIMIT = 0xFFFFFFFF  # beyond this an entry needs zip64, which this writer does not do


def write_zip(path: str, entries: list[tuple[str, bytes | Path]], when: int, workers: int = 2) -> None:
    """Write ``entries`` (name, data or a file to read it from), deflated, dated ``when``
    (seconds since the epoch). A file is read a slice at a time, never whole."""
    stamp = time.gmtime(max(when, 315532800))  # zip cannot store dates before 1980
    dos_time = (stamp.tm_hour << 11) | (stamp.tm_min << 5) | (stamp.tm_sec // 2)
    dos_date = ((stamp.tm_year - 1980) << 9) | (stamp.tm_mon << 5) | stamp.tm_mday
    central = []
    with open(path, "wb") as out, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for name, source in entries:
            offset = out.tell()
            raw_name = name.encode("utf-8")
            out.write(b"\0" * (30 + len(raw_name)))  # the header, once sizes and CRC are known
            crc = size = packed = 0
            for data, future in _deflated(_slices(source), pool, 2 * max(1, workers)):
                crc = zlib.crc32(data, crc)
                size += len(data)
                piece = future.result()
                packed += len(piece)
                out.write(piece)
            if max(size, packed) >= _LIMIT:
                raise ValueError(f"{name} is too big for a zip without zip64")
            fixed = struct.pack("<HHHHHIII", 20, 0, 8, dos_time, dos_date, crc, packed, size)
            end = out.tell()
            out.seek(offset)
            out.write(b"PK\x03\x04" + fixed + struct.pack("<HH", len(raw_name), 0) + raw_name)
            out.seek(end)
            point("zip-half-written")
            central.append(
                b"PK\x01\x02" + struct.pack("<H", (3 << 8) | 20) + fixed
                + struct.pack("<HHHHHII", len(raw_name), 0, 0, 0, 0, 0o100644 << 16, offset) + raw_name
            )
        start = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central), len(directory),
                                              start, 0))


def _slices(source: bytes | Path) -> Iterator[tuple[bytes, bool]]:
    """(slice, is it the last) over the data; an empty source is one empty last slice."""
    if isinstance(source, bytes):
        reader: BinaryIO = io.BytesIO(source)
    else:
        reader = open(source, "rb")  # noqa: SIM115 (closed below)
    with reader:
        data = reader.read(SLICE)
        while True:
            after = reader.read(SLICE)
            yield data, not after
            if not after:
                return
            data = after


def _deflated(
    slices: Iterator[tuple[bytes, bool]], pool: ThreadPoolExecutor, ahead: int
) -> Iterator[tuple[bytes, Future[bytes]]]:
    """Each slice with its deflated form to come, keeping at most ``ahead`` slices in flight."""
    window: deque[tuple[bytes, Future[bytes]]] = deque()
    for data, last in slices:
        window.append((data, pool.submit(_deflate, data, last)))
        if len(window) >= ahead:
            yield window.popleft()
    yield from window


def _deflate(data: bytes, last: bool) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)
