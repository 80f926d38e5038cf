import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cidForBytes, cidToSha256 } from "./cid.ts";
import { createLocalContentStore, type LocalContentStore } from "./createLocalContentStore.ts";
import { ContentStoreError } from "./errors.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** RFC 4648 base32, lowercase, unpadded: an encoder independent of multiformats for the CID check. */
function base32(bytes: Uint8Array): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

let dir: string;
let store: LocalContentStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tributary-store-"));
  store = createLocalContentStore({ dir: join(dir, "content") });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectStoreError(p: Promise<unknown>, code: string): Promise<ContentStoreError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContentStoreError);
  expect((error as ContentStoreError).code).toBe(code);
  expect((error as ContentStoreError).hint.length).toBeGreaterThan(10);
  return error as ContentStoreError;
}

describe("cidForBytes", () => {
  it("test_cidForBytes_matchesIpfsRawLeafCids", async () => {
    // The CIDs `ipfs add --cid-version 1 --raw-leaves` prints for an empty file and for "hello world".
    expect(cidForBytes(new Uint8Array()).cid).toBe(
      "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    );
    expect(cidForBytes(utf8("hello world")).cid).toBe(
      "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
    );
    for (const text of ["hello world\n", "", "Call me Ishmael."]) {
      const bytes = utf8(text);
      const viaMultiformats = CID.create(1, raw.code, await sha256.digest(bytes)).toString();
      const digest = createHash("sha256").update(bytes).digest();
      const byHand = `b${base32(new Uint8Array([0x01, 0x55, 0x12, 0x20, ...digest]))}`;
      expect(cidForBytes(bytes)).toEqual({ cid: viaMultiformats, sha256: `0x${digest.toString("hex")}` });
      expect(viaMultiformats).toBe(byHand);
    }
  });

  it("test_cidToSha256_roundTrip_andRevertsOnOtherCids", () => {
    const { cid, sha256: digest } = cidForBytes(utf8("x"));
    expect(cidToSha256(cid)).toBe(digest);
    const invalid = (s: string) => {
      try {
        cidToSha256(s);
      } catch (e) {
        return (e as ContentStoreError).code;
      }
      return "accepted";
    };
    expect(invalid("not-a-cid")).toBe("INVALID_CID");
    expect(invalid("../../etc/passwd")).toBe("INVALID_CID");
    const parsed = CID.parse(cid);
    expect(invalid(CID.createV0(parsed.multihash as never).toString())).toBe("INVALID_CID"); // CIDv0 (dag-pb)
    expect(invalid(CID.create(1, 0x71, parsed.multihash).toString())).toBe("INVALID_CID"); // dag-cbor codec
    expect(invalid(CID.create(1, 0x70, parsed.multihash).toString())).toBe("INVALID_CID"); // dag-pb codec
    expect(invalid(`B${cid.slice(1).toUpperCase()}`)).toBe("INVALID_CID"); // same CID, non-canonical base
  });
});

describe("createLocalContentStore", () => {
  it("test_put_get_has_delete_roundTrip", async () => {
    const bytes = utf8("hello world\n");
    const put = await store.put(bytes);
    expect(put).toEqual({ ...cidForBytes(bytes), size: 12 });
    expect(await store.has(put.cid)).toBe(true);
    expect(Buffer.from((await store.get(put.cid))!).toString()).toBe("hello world\n");
    const hex = put.sha256.slice(2);
    expect(store.pathOf(put.cid)).toBe(join(dir, "content", hex.slice(0, 2), hex.slice(2, 4), put.cid));
    expect((await stat(store.pathOf(put.cid))).size).toBe(12);
    expect(await store.delete(put.cid)).toBe(true);
    expect(await store.delete(put.cid)).toBe(false);
    expect(await store.has(put.cid)).toBe(false);
    expect(await store.get(put.cid)).toBeUndefined();
  });

  it("test_put_isIdempotent_andLeavesNoTemporaryFile", async () => {
    const a = await store.put(utf8("same"));
    const b = await store.put(utf8("same"));
    expect(b).toEqual(a);
    const folder = join(store.pathOf(a.cid), "..");
    expect(await readdir(folder)).toEqual([a.cid]);
    expect((await store.put(new Uint8Array())).size).toBe(0);
  });

  it("test_put_concurrentSameAndDifferentContent", async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => utf8(`doc ${i % 10}`));
    const results = await Promise.all(inputs.map((b) => store.put(b)));
    const listed: string[] = [];
    for await (const cid of store.list()) listed.push(cid);
    expect(listed.sort()).toEqual([...new Set(results.map((r) => r.cid))].sort());
    expect(listed).toHaveLength(10);
  });

  it("test_get_revertsWhenBytesNoLongerMatchTheCid_andPutRepairs", async () => {
    const { cid } = await store.put(utf8("original"));
    await rm(store.pathOf(cid));
    await writeFile(store.pathOf(cid), "tampered");
    const error = await expectStoreError(store.get(cid), "CONTENT_CORRUPT");
    expect(error.message).toContain(cid);
    expect(error.retryable).toBe(false);
    await store.put(utf8("original"));
    expect(Buffer.from((await store.get(cid))!).toString()).toBe("original");
  });

  it("test_operations_revertOnInvalidCid", async () => {
    await expectStoreError(store.get("../../etc/passwd"), "INVALID_CID");
    await expectStoreError(store.has("bafy-nope"), "INVALID_CID");
    await expectStoreError(store.delete("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n"), "INVALID_CID");
  });

  it("test_put_failedWrite_isRetryableIoErrorAndLeavesNothing", async () => {
    const bytes = utf8("blocked");
    const { cid } = cidForBytes(bytes);
    await mkdir(join(store.pathOf(cid), "inner"), { recursive: true }); // a non-empty folder where the blob goes
    const error = await expectStoreError(store.put(bytes), "STORE_IO");
    expect(error.retryable).toBe(true);
    expect(await readdir(join(store.pathOf(cid), ".."))).toEqual([cid]); // no temporary file left
  });

  it("test_list_streamsOnlyBlobs_andSweepRemovesOldTemporaryFiles", async () => {
    const { cid } = await store.put(utf8("a"));
    const folder = join(store.pathOf(cid), "..");
    const stale = join(folder, `.${cid}.123.abc.tmp`);
    const fresh = join(folder, `.${cid}.456.def.tmp`);
    await writeFile(stale, "partial");
    await writeFile(fresh, "partial");
    await utimes(stale, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    const listed: string[] = [];
    for await (const c of store.list()) listed.push(c);
    expect(listed).toEqual([cid]);
    expect(await store.sweepTemporaryFiles()).toBe(1);
    expect((await readdir(folder)).sort()).toEqual([`.${cid}.456.def.tmp`, cid].sort());
    expect(await store.sweepTemporaryFiles({ olderThanMs: 0 })).toBe(1);
    expect(await readdir(folder)).toEqual([cid]);
  });

  it("test_list_ofMissingFolder_isEmpty", async () => {
    const empty = createLocalContentStore({ dir: join(dir, "never-created") });
    const listed: string[] = [];
    for await (const c of empty.list()) listed.push(c);
    expect(listed).toEqual([]);
  });

  it("test_sigkillDuringPuts_neverLeavesAPartialBlob", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./testdata/putLoop.ts", import.meta.url)), store.dir],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let acknowledged: string[] = [];
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      acknowledged = acknowledged.concat(chunk.split("\n").filter(Boolean));
      if (acknowledged.length >= 15) child.kill("SIGKILL");
    });
    await new Promise((resolve) => child.on("exit", resolve));
    expect(acknowledged.length).toBeGreaterThanOrEqual(15);
    const listed: string[] = [];
    for await (const cid of store.list()) listed.push(cid);
    // Every acknowledged put is there; every blob there is whole (get verifies the hash).
    for (const cid of acknowledged) expect(listed).toContain(cid);
    for (const cid of listed) expect((await store.get(cid))!.length).toBe(256 * 1024);
    await store.sweepTemporaryFiles({ olderThanMs: 0 });
    for (const cid of listed) expect(await readdir(join(store.pathOf(cid), ".."))).toEqual([cid]);
  });
});
