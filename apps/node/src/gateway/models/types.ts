import type { Pricing, Split } from "@tributary/core";
import type { Address } from "viem";
import type { ModelLimits } from "../promptLimits.ts";
import type { Upstream } from "../upstream.ts";

/** A datanet version a model was trained on. */
export type TrainedOnVersion = { datanetId: bigint; version: number };

/** A model the gateway serves, as stored. */
export type GatewayModel = {
  modelId: bigint;
  name: string;
  /** `infinigram`: the built-in ∞-gram over its versions' index; `external`: an OpenAI-compatible upstream. */
  kind: "infinigram" | "external";
  /** First trained-on version. */
  datanetId: bigint;
  version: number;
  /** The ∞-gram's index ids, comma-separated, one per trained-on version ("" for external models). */
  indexId: string;
  /** Every trained-on version, in registration order. */
  trainedOn: TrainedOnVersion[];
  /** External models only. */
  upstream?: Upstream;
  /** The model's terms on chain (ModelRegistry, through the indexer's `model_terms`), as of the last read. */
  pricing: Pricing;
  split: Split;
  owner: Address;
  /** Deprecated on chain: listed, no longer served. */
  deprecated: boolean;
  /** Request size limits on this node: the model's own, else the node's defaults (`GatewayConfig`). */
  limits: ModelLimits;
  createdAt: string;
};

/** Parameters of `registerInfinigramModel`: one version (`datanetId`, `version`) or several (`trainedOn`). */
export type RegisterInfinigramModelParameters = (
  | { datanetId: bigint; version: number; trainedOn?: undefined }
  | { trainedOn: TrainedOnVersion[]; datanetId?: undefined; version?: undefined }
) & {
  pricing: Pricing;
  split: Split;
  /** Name clients pass as `model` (unique on this node). */
  name: string;
  /** Model card URI; defaults to `tributary://infinigram/<datanetId>/<version>[,<datanetId>/<version>…]`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default. */
  limits?: Partial<ModelLimits>;
};

/** Parameters of `registerExternalModel`. */
export type RegisterExternalModelParameters = {
  name: string;
  upstream: Upstream;
  /** Versions the upstream model was trained (or fine-tuned) on; each needs an index on this node. */
  trainedOn: TrainedOnVersion[];
  pricing: Pricing;
  split: Split;
  /** Model card URI; defaults to `tributary://external/<name>`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default. */
  limits?: Partial<ModelLimits>;
};
