import type { FileHandle } from "node:fs/promises";
import { invalid } from "@/lib/errors";

export interface ZipMember {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  /** CRC-32 of the uncompressed data, as the central directory states it. */
  crc32: number;
  compressedSize: number;
  size: number;
  /** Offset of the member's data (after its local header). */
  dataOffset: number;
}

const WHERE = "zip archive";

async function readAt(fh: FileHandle, pos: number, len: number): Promise<DataView> {
  const buf = new Uint8Array(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  if (bytesRead < len)
    throw invalid("truncated", `the archive ends at byte ${pos + bytesRead}; a truncated file?`, WHERE);
  return new DataView(buf.buffer);
}

/** Lists an .npz's members from its central directory (zip64 included, as numpy writes past 4 GiB). */
export async function readZipDirectory(fh: FileHandle, fileSize: number): Promise<ZipMember[]> {
  const tailLen = Math.min(fileSize, 65_557);
  const tail = await readAt(fh, fileSize - tailLen, tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    throw invalid(
      "truncated",
      "no zip end-of-central-directory record: the .npz is truncated or not a zip archive",
      WHERE,
    );
  let entries = tail.getUint16(eocd + 10, true);
  let cdSize = tail.getUint32(eocd + 12, true);
  let cdOffset = tail.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.getUint32(loc, true) !== 0x07064b50)
      throw invalid("corrupt_archive", "zip64 locator missing", WHERE);
    const z = await readAt(fh, Number(tail.getBigUint64(loc + 8, true)), 56);
    if (z.getUint32(0, true) !== 0x06064b50) throw invalid("corrupt_archive", "zip64 end record missing", WHERE);
    entries = Number(z.getBigUint64(32, true));
    cdSize = Number(z.getBigUint64(40, true));
    cdOffset = Number(z.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > fileSize)
    throw invalid("truncated", "the zip central directory points past the end of the file", WHERE);
  const cd = await readAt(fh, cdOffset, cdSize);
  const members: ZipMember[] = [];
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (cd.getUint32(p, true) !== 0x02014b50)
      throw invalid("corrupt_archive", `bad central directory entry ${n}`, WHERE);
    const method = cd.getUint16(p + 10, true);
    const crc32 = cd.getUint32(p + 16, true);
    let compressedSize = cd.getUint32(p + 20, true);
    let size = cd.getUint32(p + 24, true);
    const nameLen = cd.getUint16(p + 28, true);
    const extraLen = cd.getUint16(p + 30, true);
    const commentLen = cd.getUint16(p + 32, true);
    let localOffset = cd.getUint32(p + 42, true);
    const name = new TextDecoder().decode(new Uint8Array(cd.buffer, p + 46, nameLen));
    // zip64 extra field: only the fields that overflowed are present, in this order.
    for (let e = p + 46 + nameLen; e < p + 46 + nameLen + extraLen;) {
      const id = cd.getUint16(e, true);
      const len = cd.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(cd.getBigUint64(q, true));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(cd.getBigUint64(q, true));
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = Number(cd.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    const local = await readAt(fh, localOffset, 30);
    if (local.getUint32(0, true) !== 0x04034b50)
      throw invalid("corrupt_archive", `bad local header for ${name}`, WHERE);
    const dataOffset = localOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
    if (method !== 0 && method !== 8)
      throw invalid(
        "corrupt_archive",
        `${name} uses zip method ${method}; only stored and deflate are supported`,
        WHERE,
      );
    if (dataOffset + compressedSize > fileSize)
      throw invalid("truncated", `${name} runs past the end of the archive; a truncated file?`, `${WHERE}, ${name}`);
    members.push({ name, method, crc32, compressedSize, size, dataOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return members;
}
