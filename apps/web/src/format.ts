import { groupThousands } from "@tributary/core/money";

/** Display helpers (amounts of the token: money.tsx): addresses, metadata URIs, license ids. */

/** A count with thousands separators (`905,112`); token amounts use `<Money>` (money.tsx). */
export function count(value: number): string {
  return groupThousands(String(value));
}

/** `0x1234…abcd`. */
export function short(address: string | null | undefined): string {
  if (!address) return "–";
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** Parts per million as a percentage. */
export function ppm(value: number): string {
  return `${(value / 10_000).toFixed(value % 10_000 === 0 ? 0 : 2)}%`;
}

/** Basis points as a percentage. */
export function bps(value: number): string {
  return `${(value / 100).toFixed(value % 100 === 0 ? 0 : 2)}%`;
}

/** Metadata the web app writes when it creates a datanet (a `data:` URI). */
export type DatanetMeta = { name?: string; description?: string };

/** Encodes a datanet's name and description as a `data:application/json` URI. */
export function metadataUriOf(meta: DatanetMeta): string {
  const json = JSON.stringify(meta);
  return `data:application/json;base64,${btoa(String.fromCharCode(...new TextEncoder().encode(json)))}`;
}

/** Reads the name and description from a `data:application/json` URI; other URIs give {}. */
export function metaOf(uri: string): DatanetMeta {
  const m = /^data:application\/json(;base64)?,(.*)$/s.exec(uri);
  if (!m?.[2]) return {};
  try {
    const text = m[1]
      ? new TextDecoder().decode(Uint8Array.from(atob(m[2]), (c) => c.charCodeAt(0)))
      : decodeURIComponent(m[2]);
    const parsed = JSON.parse(text) as DatanetMeta;
    return typeof parsed === "object" && parsed ? parsed : {};
  } catch {
    return {};
  }
}

/** A datanet's display name: its metadata name, else its URI, else `Datanet n`. */
export function datanetName(d: { id: string; metadataURI: string }): string {
  const meta = metaOf(d.metadataURI);
  if (meta.name) return meta.name;
  return d.metadataURI.startsWith("data:") ? `Datanet ${d.id}` : d.metadataURI;
}

/** The license name held in a bytes32 license id (`licenseIdOf("CC-BY-4.0")`), or the hex when not text. */
export function licenseName(licenseId: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(licenseId)) return licenseId;
  if (/^0x0{64}$/.test(licenseId)) return "none";
  const bytes = licenseId
    .slice(2)
    .match(/../g)!
    .map((h) => Number.parseInt(h, 16));
  const end = bytes.indexOf(0);
  const used = end === -1 ? bytes : bytes.slice(0, end);
  if (used.every((b) => b >= 0x20 && b < 0x7f) && bytes.slice(used.length).every((b) => b === 0))
    return String.fromCharCode(...used);
  return `${licenseId.slice(0, 10)}…`;
}

/** "in 3 min 20 s" / "2 min ago". */
export function relative(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const parts =
    abs >= 3600
      ? `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min`
      : abs >= 60
        ? `${Math.floor(abs / 60)} min ${abs % 60} s`
        : `${abs} s`;
  return seconds >= 0 ? `in ${parts}` : `${parts} ago`;
}

/** Whether `s` looks like an EVM address. */
export function isAddress(s: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(s.trim());
}
