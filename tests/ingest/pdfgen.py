"""Tiny PDFs written by hand (text lines, an optional bookmark outline, an info dictionary), for ingest tests."""

from __future__ import annotations

from pathlib import Path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, pages: list[list[str]], outline: list[tuple[str, int, int]] = (), info: dict[str, str] | None = None) -> Path:
    """pages: lines of text per page (Helvetica 11 pt, top down); outline: (title, 0-based page, level 0|1)."""
    objects: list[bytes] = []

    def add(body: str | bytes) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    catalog = add("")  # filled in below
    pages_obj = add("")
    font = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    page_ids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 740 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_ids.append(add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
                            f"/Resources << /Font << /F1 {font} 0 R >> >> >>"))
    objects[pages_obj - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {len(page_ids)} >>".encode()

    outline_ref = ""
    if outline:
        root = add("")
        items = []
        for title, page, level in outline:
            items.append([add(""), title, page, level])
        tops = [it for it in items if it[3] == 0]
        children: dict[int, list] = {}
        parent_of: dict[int, int] = {}
        last_top = None
        for it in items:
            if it[3] == 0:
                last_top = it
                parent_of[it[0]] = root
            else:
                children.setdefault(last_top[0], []).append(it)
                parent_of[it[0]] = last_top[0]
        siblings: dict[int, list] = {root: tops, **children}
        for parent, kids in siblings.items():
            for k, it in enumerate(kids):
                parts = [f"/Title ({_escape(it[1])})", f"/Parent {parent} 0 R", f"/Dest [{page_ids[it[2]]} 0 R /XYZ 72 760 0]"]
                if k > 0:
                    parts.append(f"/Prev {kids[k - 1][0]} 0 R")
                if k + 1 < len(kids):
                    parts.append(f"/Next {kids[k + 1][0]} 0 R")
                own = children.get(it[0], [])
                if own:
                    parts += [f"/First {own[0][0]} 0 R", f"/Last {own[-1][0]} 0 R", f"/Count {len(own)}"]
                objects[it[0] - 1] = ("<< " + " ".join(parts) + " >>").encode("latin-1")
        objects[root - 1] = f"<< /Type /Outlines /First {tops[0][0]} 0 R /Last {tops[-1][0]} 0 R /Count {len(items)} >>".encode()
        outline_ref = f" /Outlines {root} 0 R /PageMode /UseOutlines"
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R{outline_ref} >>".encode()
    info_ref = ""
    if info:
        info_id = add("<< " + " ".join(f"/{k} ({_escape(v)})" for k, v in info.items()) + " >>")
        info_ref = f" /Info {info_id} 0 R"

    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path
