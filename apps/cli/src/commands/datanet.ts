import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Command } from "commander";
import { formatAmount, parseAmount } from "../amounts.ts";
import { type CommonOptions, parseId, withCommonOptions } from "../args.ts";
import { bold, CliError, cyan, dim, emit, green, progress, run, UsageError, yellow } from "../output.ts";

/** The command context, loaded on demand (chain and HTTP libraries stay out of `--help`). */
const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

type Json = Record<string, unknown>;
type Page = { items: Json[]; nextCursor: string | null };

const kb = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} kB`);

/** `tributary datanet …`: create, list, show, contribute, review, publish, export. */
export function registerDatanet(program: Command): void {
  const datanet = program
    .command("datanet")
    .description("datanets: create, list, show, contribute files, review, publish versions, export");

  withCommonOptions(
    datanet
      .command("create")
      .description("create a datanet with the node's key (the node becomes owner and curator; operator)")
      .option("--metadata-uri <uri>", "datanet card (name, description)", "tributary://datanet")
      .option("--license <spdx>", "license of the contributions", "CC-BY-4.0")
      .option(
        "--min-stake <amount>",
        "stake each contribution must lock, in the payment token (e.g. 0.5)",
        "0",
      )
      .option("--uncurated", "accept contributions without review")
      .option("--near-duplicates <policy>", "flag | refuse near-duplicate uploads", "flag"),
  ).action(
    run(
      async (
        opts: CommonOptions & {
          metadataUri: string;
          license: string;
          minStake: string;
          uncurated?: boolean;
          nearDuplicates: string;
        },
      ) => {
        if (opts.nearDuplicates !== "flag" && opts.nearDuplicates !== "refuse")
          throw new UsageError(`--near-duplicates must be flag or refuse, got "${opts.nearDuplicates}"`);
        parseAmount(opts.minStake, 255, "--min-stake"); // the form; the token's decimals below
        const cli = await context(opts);
        const minStake = parseAmount(opts.minStake, (await cli.token()).decimals, "--min-stake");
        const created = await cli.request<{ datanetId: string; txHash: string; owner: string }>(
          "POST",
          "/v1/datanets",
          {
            metadataURI: opts.metadataUri,
            policy: { curated: !opts.uncurated, minStake: minStake.toString(), license: opts.license },
            nearDuplicatePolicy: opts.nearDuplicates,
          },
        );
        emit(opts.json, created, () => [
          `${green("✓")} datanet ${bold(created.datanetId)} created (tx ${created.txHash}), owner ${created.owner}`,
          dim(`next: tributary datanet contribute ${created.datanetId} <files...>`),
        ]);
      },
    ),
  );

  withCommonOptions(datanet.command("list").description("datanets the node indexed")).action(
    run(async (opts: CommonOptions) => {
      const cli = await context(opts);
      const items: Json[] = [];
      let cursor: string | undefined;
      do {
        const page = await cli.request<Page>(
          "GET",
          `/v1/datanets?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
          undefined,
          "none",
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      emit(opts.json, { items }, () =>
        items.length === 0
          ? ["no datanets yet", dim("create one: tributary datanet create --metadata-uri ipfs://…")]
          : [
              bold("id  versions  owner                                       metadata"),
              ...items.map(
                (d) =>
                  `${String(d.id).padEnd(4)}${String(d.versionCount ?? d.version_count ?? "").padEnd(10)}${String(d.owner).padEnd(44)}${String(d.metadataURI ?? d.metadataUri ?? "")}`,
              ),
            ],
      );
    }),
  );

  withCommonOptions(
    datanet.command("show").description("one datanet: policy, curators, contribution counts, versions"),
  )
    .argument("<id>", "datanet id")
    .action(
      run(async (id: string, opts: CommonOptions) => {
        const datanetId = parseId("datanet id", id);
        const cli = await context(opts);
        const [d, versions] = await Promise.all([
          cli.request<Json>("GET", `/v1/datanets/${datanetId}`, undefined, "none"),
          cli
            .request<Page>("GET", `/v1/datanets/${datanetId}/versions?limit=500`, undefined, "none")
            .catch(() => ({ items: [] as Json[] })),
        ]);
        const token = await cli.token();
        const policy = d.policy as { curated?: boolean; minStake?: string; refundStakeOnAccept?: boolean };
        emit(opts.json, { ...d, versions: versions.items }, () => [
          `${bold(`datanet ${String(d.id)}`)}  ${String(d.metadataURI ?? "")}`,
          `  owner          ${String(d.owner)}`,
          `  policy         ${policy.curated ? "curated" : "open (accepted on arrival)"}, min stake ${formatAmount(policy.minStake ?? "0", token)}${policy.refundStakeOnAccept ? ", stake refunded on accept" : ""}`,
          ...(d.curators ? [`  curators       ${(d.curators as string[]).join(", ")}`] : []),
          `  contributions  ${JSON.stringify(d.contributions ?? {})}`,
          `  versions       ${versions.items.length === 0 ? "none published" : versions.items.map((v) => `v${String(v.version)}`).join(", ")}`,
        ]);
      }),
    );

  withCommonOptions(
    datanet
      .command("contribute")
      .description(
        "upload files (.txt .md .jsonl .csv .pdf .docx) signed with your key (TRIBUTARY_PRIVATE_KEY or keystore); the node relays them on chain",
      )
      .option(
        "--self-pay",
        "send contributeBatch from your own wallet and pay the gas (when the node's relay is off or over quota)",
      ),
  )
    .argument("<id>", "datanet id")
    .argument("<files...>", "files to contribute")
    .action(
      run(async (id: string, files: string[], opts: CommonOptions & { selfPay?: boolean }) => {
        const datanetId = parseId("datanet id", id);
        const loaded = files.map((f) => {
          let size: number;
          try {
            size = statSync(f).size;
          } catch {
            throw new UsageError(`cannot read ${f}`, "Check the file path.");
          }
          return { path: f, name: basename(f), size };
        });
        const cli = await context(opts);
        const account = await cli.account();
        const node = await cli.node();
        const quiet = opts.json;
        const upload = loaded.map((f, i) => {
          const content = readFileSync(f.path);
          if (!quiet) progress(`${dim(`[${i + 1}/${loaded.length}]`)} ${f.name} ${dim(kb(f.size))} read`);
          return { name: f.name, content: new Uint8Array(content) };
        });
        if (!quiet)
          progress(`${dim("…")} staging ${upload.length} file(s) on the node (normalize, hash, dedupe)`);
        const staged = await node.stageUpload({
          datanetId,
          contributor: account.address,
          files: upload,
          ...(opts.selfPay ? { mode: "direct" as const } : {}),
        });
        if (!quiet) {
          for (const doc of staged.documents) {
            const name = doc.locator ? `${doc.sourceName}#${doc.locator}` : doc.sourceName;
            const dups = (doc.nearDuplicates ?? []) as Json[];
            progress(
              `  ${green("✓")} ${name} ${dim(String(doc.contentHash).slice(0, 18))}${dups.length ? yellow(` near-duplicate of #${dups.map((x) => x.contributionId).join(", #")}`) : ""}`,
            );
          }
        }
        if (opts.selfPay) {
          // Direct: the node stored the documents; the contributor's own transactions register them (its gas).
          const { contributeBatch } = await import("@tributary/sdk");
          const client = await cli.chain(true);
          const ids: bigint[] = [];
          for (const b of staged.direct?.batches ?? []) {
            if (!quiet)
              progress(`${dim("…")} sending contributeBatch (batch ${b.batch}) from ${account.address}`);
            const r = await contributeBatch(client, {
              datanetId,
              contentHashes: b.contentHashes as `0x${string}`[],
              sizes: b.sizes.map((x) => BigInt(x)),
              metadataURIs: b.metadataURIs,
            });
            ids.push(...r.contributionIds);
          }
          emit(opts.json, { id: staged.id, contributionIds: ids.map(String) }, () => [
            `${green("✓")} upload ${staged.id}: ${ids.length} contribution(s) registered from your wallet (#${ids.join(", #")})`,
            dim(`next: tributary datanet review ${datanetId}`),
          ]);
          return;
        }
        const { signUpload } = await import("@tributary/sdk");
        const signatures = await signUpload(staged, account);
        if (!quiet) progress(`${green("✓")} signed ${signatures.length} batch(es) as ${account.address}`);
        if (!quiet) progress(`${dim("…")} submitting; the node registers the contributions on chain`);
        const done = await node.submitUpload(staged.id, signatures);
        const ids = done.documents.map((d) => d.contributionId).filter((x) => x != null);
        emit(opts.json, done, () => [
          `${green("✓")} upload ${done.id}: ${done.status}, ${ids.length} contribution(s) registered${ids.length ? ` (#${ids.join(", #")})` : ""}`,
          dim(`next: tributary datanet review ${datanetId}`),
        ]);
      }),
    );

  withCommonOptions(
    datanet
      .command("review")
      .description(
        "list pending contributions with near-duplicate flags; --accept/--reject to decide (node key; operator)",
      )
      .option("--accept <ids>", "comma-separated contribution ids, or `all` (the pending ones)")
      .option("--reject <ids>", "comma-separated contribution ids"),
  )
    .argument("<id>", "datanet id")
    .action(
      run(async (id: string, opts: CommonOptions & { accept?: string; reject?: string }) => {
        const datanetId = parseId("datanet id", id);
        const ids = (flag: string, v: string | undefined) =>
          v === undefined || v === "all"
            ? []
            : v.split(",").map((x) => parseId(`${flag} contribution id`, x.trim()));
        const accept = ids("--accept", opts.accept);
        const reject = ids("--reject", opts.reject);
        const cli = await context(opts);
        const pending: Json[] = [];
        let cursor: string | undefined;
        do {
          const page = await cli.request<Page>(
            "GET",
            `/v1/datanets/${datanetId}/curation?limit=500${cursor ? `&cursor=${cursor}` : ""}`,
          );
          pending.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (opts.accept === undefined && opts.reject === undefined) {
          emit(opts.json, { items: pending }, () =>
            pending.length === 0
              ? [`no pending contributions in datanet ${datanetId}`]
              : [
                  bold(`${pending.length} pending contribution(s) in datanet ${datanetId}`),
                  ...pending.map((p) => {
                    const dups = (p.nearDuplicates ?? []) as Json[];
                    const flag = dups.length
                      ? yellow(
                          `  ⚠ near-duplicate of ${dups.map((d) => `#${String(d.contributionId)} (${Math.round(Number(d.similarity) * 100)}%)`).join(", ")}`,
                        )
                      : "";
                    const preview = String(p.preview ?? "")
                      .replace(/\s+/g, " ")
                      .slice(0, 60);
                    return `  #${String(p.contributionId).padEnd(6)} ${String(p.contributor).slice(0, 10)}… ${kb(Number(p.size))}  ${dim(preview)}${flag}`;
                  }),
                  dim(`decide: tributary datanet review ${datanetId} --accept all | --accept 1,2 --reject 3`),
                ],
          );
          return;
        }
        const rejectSet = new Set(reject);
        const acceptIds =
          opts.accept === "all"
            ? pending.map((p) => BigInt(String(p.contributionId))).filter((x) => !rejectSet.has(x))
            : accept;
        const reviews = [
          ...acceptIds.map((contributionId) => ({ contributionId, verdict: "accept" as const })),
          ...reject.map((contributionId) => ({ contributionId, verdict: "reject" as const })),
        ];
        if (reviews.length === 0)
          throw new CliError(`nothing to review in datanet ${datanetId}`, "No pending contribution matched.");
        const result = await cli.request<Json>("POST", `/v1/datanets/${datanetId}/review`, {
          reviews: reviews.map((r) => ({ contributionId: r.contributionId.toString(), verdict: r.verdict })),
        });
        emit(opts.json, result, () => [
          `${green("✓")} ${acceptIds.length} accepted, ${reject.length} rejected in datanet ${datanetId}`,
          dim(`next: tributary datanet publish ${datanetId}`),
        ]);
      }),
    );

  withCommonOptions(
    datanet
      .command("publish")
      .description(
        "publish the accepted contributions as the next version, with its attribution index (operator)",
      ),
  )
    .argument("<id>", "datanet id")
    .action(
      run(async (id: string, opts: CommonOptions) => {
        const datanetId = parseId("datanet id", id);
        const cli = await context(opts);
        if (!opts.json) progress(`${dim("…")} publishing datanet ${datanetId} (manifest, chain, index)`);
        const v = await cli.request<Json>("POST", `/v1/datanets/${datanetId}/versions`, {});
        emit(opts.json, v, () => [
          `${green("✓")} datanet ${datanetId} version ${bold(String(v.version))} published${v.txHash ? ` (tx ${String(v.txHash)})` : ""}`,
          dim(`next: tributary datanet export ${datanetId} ${String(v.version)}`),
          // A model is registered on chain with the versions it was trained on: publishing does not move it.
          ...(Number(v.version) > 1
            ? [
                dim(
                  `models trained on earlier versions keep serving them; to serve v${String(v.version)}, register a model on it: tributary model register --name <name>-v${String(v.version)} --datanet ${datanetId} --version ${String(v.version)}`,
                ),
              ]
            : []),
        ]);
      }),
    );

  withCommonOptions(
    datanet
      .command("export")
      .description("download a published version as a dataset (data.jsonl, README.md, manifest.json)")
      .option("--out <dir>", "folder to write (default ./datanet-<id>-v<version>)"),
  )
    .argument("<id>", "datanet id")
    .argument("<version>", "version number")
    .action(
      run(async (id: string, version: string, opts: CommonOptions & { out?: string }) => {
        const datanetId = parseId("datanet id", id);
        const v = Number(parseId("version", version));
        const cli = await context(opts);
        const exported = await cli.request<{ contributionsRoot: string; files: Record<string, string> }>(
          "GET",
          `/v1/datanets/${datanetId}/versions/${v}/export`,
          undefined,
          "none",
        );
        const out = resolve(opts.out ?? `datanet-${datanetId}-v${v}`);
        mkdirSync(out, { recursive: true });
        const written = Object.entries(exported.files).map(([name, content]) => {
          writeFileSync(join(out, name), content);
          return { name, bytes: Buffer.byteLength(content) };
        });
        emit(opts.json, { out, contributionsRoot: exported.contributionsRoot, files: written }, () => [
          `${green("✓")} datanet ${datanetId} v${v} written to ${cyan(out)} (contributions root ${exported.contributionsRoot})`,
          ...written.map((f) => `  ${f.name.padEnd(14)} ${kb(f.bytes)}`),
        ]);
      }),
    );
}
