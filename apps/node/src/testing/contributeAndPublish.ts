import { createNodeClient, signUpload } from "@tributary/sdk";
import type { LocalAccount } from "viem";
import { eventually } from "./eventually.ts";

/** Parameters of {@link contributeAndPublish}. */
export type ContributeAndPublishParameters = {
  /** The node's HTTP API (it must be a curator of the datanet, as the node that created it is). */
  url: string;
  datanetId: bigint;
  /** Signs the upload (the contributor of every document). */
  contributor: LocalAccount;
  /** One text file per document: its text (named `doc<i>.txt`), or its name and text. */
  documents: readonly (string | { name: string; content: string })[];
  /** When the node protects its operator routes (review, publish). */
  operatorToken?: string;
};

/**
 * The whole datanet flow over HTTP, as tests need it: uploads `documents` signed by `contributor`, waits for
 * the node's indexer to see them pending, accepts them all, waits for the acceptance, and publishes the next
 * version (its index is recorded before the publication returns).
 *
 * @example
 * const { version, indexId } = await contributeAndPublish({ url, datanetId, contributor, documents: ["…"] });
 */
export async function contributeAndPublish(
  params: ContributeAndPublishParameters,
): Promise<{ version: number; indexId: string; contributionIds: bigint[] }> {
  const { datanetId, contributor, documents } = params;
  const api = createNodeClient({
    baseUrl: params.url,
    ...(params.operatorToken ? { operatorToken: params.operatorToken } : {}),
  });
  const before = await api.listContributions(datanetId, { status: "Accepted" });
  const staged = await api.stageUpload({
    datanetId,
    contributor: contributor.address,
    files: documents.map((d, i) => (typeof d === "string" ? { name: `doc${i}.txt`, content: d } : d)),
  });
  const done = await api.submitUpload(staged.id, await signUpload(staged, contributor));
  const ids = done.documents.map((d) => BigInt(d.contributionId as string));
  await eventually(
    () => api.listContributions(datanetId, { status: "Pending" }),
    (p) => p.items.length === documents.length,
    "pending contributions",
  );
  await api.review(
    datanetId,
    ids.map((contributionId) => ({ contributionId, verdict: "accept" as const })),
  );
  await eventually(
    () => api.listContributions(datanetId, { status: "Accepted" }),
    (p) => p.items.length === before.items.length + documents.length,
    "accepted contributions",
  );
  const published = await api.publishVersion(datanetId);
  return { version: published.version, indexId: published.indexId, contributionIds: ids };
}
