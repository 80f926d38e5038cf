/**
 * Test helper: writes minimal but valid PDF files (correct xref offsets), so that the PDF rules are tested on
 * real bytes that pdf.js parses, without binary fixtures. Optionally encrypts them with the standard security
 * handler, revision 2 (RC4-40, ISO 32000-1 §7.6.3 algorithms 2, 3 and 4), with a real user password.
 */
import { md5 } from "@noble/hashes/legacy";

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function rc4(key: Uint8Array, data: Uint8Array): Uint8Array {
  const s = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = new Uint8Array(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[n] = data[n]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

const PAD = Uint8Array.from([
  0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56, 0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e,
  0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80, 0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
]);

function padPassword(pw: string): Uint8Array {
  const out = new Uint8Array(32);
  const b = latin1(pw).subarray(0, 32);
  out.set(b);
  out.set(PAD.subarray(0, 32 - b.length), b.length);
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** An object body; `stream` content is appended as a stream (encrypted when the file is). */
type PdfObject = { dict: string; stream?: Uint8Array };

function assemble(objects: PdfObject[], trailerExtra: string, encryptKey?: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [latin1("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")];
  let length = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((obj, index) => {
    const num = index + 1;
    offsets.push(length);
    let body: Uint8Array;
    if (obj.stream === undefined) body = latin1(`${num} 0 obj\n${obj.dict}\nendobj\n`);
    else {
      let data = obj.stream;
      if (encryptKey !== undefined && !obj.dict.includes("/Type /XRef")) {
        const k = md5(
          concat(encryptKey, Uint8Array.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, 0, 0])),
        );
        data = rc4(k.subarray(0, Math.min(encryptKey.length + 5, 16)), data);
      }
      body = concat(
        latin1(`${num} 0 obj\n${obj.dict.replace(">>", ` /Length ${data.length} >>`)}\nstream\n`),
        data,
        latin1("\nendstream\nendobj\n"),
      );
    }
    parts.push(body);
    length += body.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("") +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(latin1(xref));
  return concat(...parts);
}

function escapePdfString(s: string): string {
  return s.replace(/[\\()]/g, (c) => `\\${c}`);
}

/** Options of {@link buildPdf}. */
export type BuildPdfOptions = {
  /** One entry per page: lines of text (WinAnsi/Latin-1 only), or `null` for a page with only an image. */
  pages: (string[] | null)[];
  /** Encrypt with RC4-40 and this user password (the owner password is `owner`). */
  userPassword?: string;
};

/**
 * A PDF with one page per entry: text lines in Helvetica, or a page that only paints a 2×2 grey image.
 *
 * @example
 * buildPdf({ pages: [["Hello", "world"]] }); // pdf.js reads "Hello\nworld"
 */
export function buildPdf(options: BuildPdfOptions): Uint8Array {
  const objects: PdfObject[] = [{ dict: "<< /Type /Catalog /Pages 2 0 R >>" }, { dict: "" }];
  const kids: number[] = [];
  objects.push({ dict: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>" }); // 3
  objects.push({
    dict: "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 >>",
    stream: Uint8Array.from([0x20, 0x80, 0x80, 0xe0]),
  }); // 4
  for (const lines of options.pages) {
    const content =
      lines === null
        ? "q 200 0 0 200 100 400 cm /Im1 Do Q"
        : `BT /F1 12 Tf 72 720 Td 14 TL ${lines.map((l) => `(${escapePdfString(l)}) '`).join(" ")} ET`;
    objects.push({ dict: "<< >>", stream: latin1(content) });
    const contentNum = objects.length;
    objects.push({
      dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentNum} 0 R /Resources << /Font << /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> >>`,
    });
    kids.push(objects.length);
  }
  objects[1] = {
    dict: `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(" ")}] /Count ${kids.length} >>`,
  };
  if (options.userPassword === undefined) return assemble(objects, "");

  const id = md5(latin1("tributary-test-pdf"));
  const permissions = -4; // all permissions granted
  const o = rc4(md5(padPassword("owner")).subarray(0, 5), padPassword(options.userPassword));
  const p = new Uint8Array(new Int32Array([permissions]).buffer);
  const key = md5(concat(padPassword(options.userPassword), o, p, id)).subarray(0, 5);
  const u = rc4(key, PAD);
  objects.push({ dict: `<< /Filter /Standard /V 1 /R 2 /O <${hex(o)}> /U <${hex(u)}> /P ${permissions} >>` });
  return assemble(objects, ` /Encrypt ${objects.length} 0 R /ID [<${hex(id)}> <${hex(id)}>]`, key);
}
