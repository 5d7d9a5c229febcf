"""core.ziprecords, the one parser of the ZIP record layout: against Python's zipfile, and against lies."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from zipstore_compat.core import ziprecords as zr


def _archive(entries, comment=b"", force_zip64=False, compression=zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with zf.open(info, "w", force_zip64=force_zip64) as member:
                member.write(data)
        zf.comment = comment
    return out.getvalue()


ENTRIES = [("zarr.json", b'{"zarr_format": 3}'), ("a/c/0", b"\x00" * 100), ("caf\u00e9/zarr.json", b"{}"), ("d/", b"")]


def test_the_layouts_are_appnote_s():
    assert (zr.LOCAL_HEADER.size, zr.CENTRAL_HEADER.size, zr.END_RECORD.size) == (30, 46, 22)
    assert (zr.ZIP64_END_RECORD.size, zr.ZIP64_LOCATOR.size) == (56, 20)
    assert zr.CENTRAL_HEADER.offset("compressed_size") == 20 and zr.CENTRAL_HEADER.offset("local_offset") == 42
    assert zr.LOCAL_HEADER.offset("name_length") == 26 and zr.END_RECORD.offset("comment_length") == 20


@pytest.mark.parametrize("force_zip64", [False, True])
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_central_directory_matches_zipfile(tmp_path, force_zip64, compression):
    path = tmp_path / "x.zip"
    path.write_bytes(_archive(ENTRIES, b"a comment", force_zip64, compression))
    with open(path, "rb") as handle:
        end = zr.read_end(handle, path.stat().st_size)
        assert isinstance(end, zr.ArchiveEnd) and end.record.consistent and end.record.comment == b"a comment"
        cd = zr.read_central_directory(handle, end, 2**20)
        assert cd.stopped is None
        locals_ = [zr.read_local_header(handle, path.stat().st_size, e.local_offset) for e in cd.entries]
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    assert [e.name for e in cd.entries] == [i.filename for i in infos]
    for entry, info, local in zip(cd.entries, infos, locals_):
        assert (entry.crc, entry.compressed_size, entry.uncompressed_size, entry.local_offset, entry.flags, entry.method) == (
            info.CRC, info.compress_size, info.file_size, info.header_offset, info.flag_bits, info.compress_type)
        assert local.raw_name == entry.raw_name and local.data_at == info.header_offset + 30 + len(local.raw_name) + len(local.extra)
        assert local.zip64 == force_zip64 or entry.is_dir   # zipfile puts the ZIP64 extra field in the local header only
    assert cd.entries[2].utf8_flag and cd.entries[3].is_dir


def test_end_record_cut_short_missing_or_followed_by_junk():
    data = _archive(ENTRIES)
    assert zr.find_end_record(data[:-10]).cut_short
    assert zr.find_end_record(data[:-22]).signature_at is None or zr.find_end_record(data[:-22]).record is not None
    assert zr.find_end_record(b"no zip here").signature_at is None
    trailing = zr.find_end_record(data + b"junk after the end")
    assert trailing.record is not None and not trailing.record.consistent


def test_a_second_end_record_in_the_comment_is_seen():
    data = _archive(ENTRIES)
    real = zr.find_end_record(data).record
    fake = zr.END_RECORD.pack(disk=0, cd_disk=0, disk_entries=1, entries=1, cd_size=46, cd_offset=real.cd_offset, comment_length=0)
    found = zr.find_end_record(_archive(ENTRIES, b"look: " + fake))
    assert found.record.entries == 1 and found.record.consistent     # the one zipfile takes: the fake
    assert len(found.others) == 1                                    # and the real one, seen


def test_count_and_sizes_are_never_trusted(tmp_path):
    data = bytearray(_archive(ENTRIES))
    at = zr.find_end_record(bytes(data)).record.at
    struct.pack_into("<HH", data, at + zr.END_RECORD.offset("disk_entries"), 60000, 60000)
    path = tmp_path / "lies.zip"
    path.write_bytes(bytes(data))
    with open(path, "rb") as handle:
        end = zr.read_end(handle, len(data))
        cd = zr.read_central_directory(handle, end, 2**20)
    assert end.entries == 60000 and len(cd.entries) == len(ENTRIES)     # parsed by the directory's size, not the count
    struct.pack_into("<I", data, at + zr.END_RECORD.offset("cd_size"), 10**9)
    path.write_bytes(bytes(data))
    with open(path, "rb") as handle:
        cd = zr.read_central_directory(handle, zr.read_end(handle, len(data)), 2**20)
    assert not cd.entries and "past where it must end" in cd.stopped


def test_a_cut_or_bad_header_stops_the_parse_with_the_reason():
    data = _archive(ENTRIES)
    end = zr.find_end_record(data).record
    cd = data[end.cd_offset:end.cd_offset + end.cd_size]
    assert "cut short" in zr.parse_central_directory(cd[:60]).stopped
    assert "signature" in zr.parse_central_directory(b"XXXX" + cd[4:]).stopped
    assert zr.parse_central_directory(cd, max_entries=2).stopped.startswith("more than 2")
    assert zr.parse_local_header(data[:35]) is None                  # its name runs past the bytes


def test_extra_fields_cut_short_keep_what_is_there():
    extra = struct.pack("<HH", 0x0001, 16) + b"\x01" * 8               # says 16 bytes, holds 8
    assert zr.extra_fields(extra) == [(1, b"\x01" * 8)]
    assert zr.has_zip64_extra(extra) and zr.zip64_values(extra, ["uncompressed_size", "compressed_size"]) == {
        "uncompressed_size": 0x0101010101010101}
    assert zr.extra_fields(b"\x01\x00") == []


def test_data_descriptor_with_and_without_signature():
    body = struct.pack("<III", 0xDEADBEEF, 10, 20)
    assert zr.parse_data_descriptor(zr.DATA_DESCRIPTOR_SIGNATURE + body, 0, 0xDEADBEEF, False).length == 16
    found = zr.parse_data_descriptor(body, 0, 0xDEADBEEF, False)
    assert (found.length, found.compressed_size, found.uncompressed_size) == (12, 10, 20)
    assert zr.parse_data_descriptor(body[:8], 0, 0xDEADBEEF, False) is None


def test_the_ports_read_the_fixtures_as_before(hostile_dir):
    """The four parsers that became core.ziprecords (bounded, hostile, ziptools, zipfacts) agree on every hostile archive."""
    from zipstore_compat.compat_tests.bounded import zip_signature
    from zipstore_compat.fixtures.zipfacts import zip_facts

    for path in sorted(Path(hostile_dir).glob("*.zip")):
        signature = zip_signature(path)
        assert signature.is_zip, path.name
        manifest = (path.with_name(path.name.replace(".zip", ".manifest.json"))).read_text(encoding="utf-8")
        import json

        facts = json.loads(manifest)["zip"]
        if not facts.get("readable_by_zipfile", True):
            continue
        assert zip_facts(path) == facts, path.name
