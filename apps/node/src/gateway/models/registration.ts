import { ContractRevertError, registerModel } from "@tributary/sdk";
import { ApiError } from "../../api/ApiError.ts";
import { MissingVersionIndexError } from "../../attribution/versionSetIndexes.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import { requireChain } from "../requireChain.ts";
import type { TrainedOnVersion } from "./types.ts";

/** A model's trained-on list: 1..32 distinct versions, each with an index on this node; their index ids. */
export async function checkTrainedOn(
  deps: GatewayDeps,
  trainedOn: readonly TrainedOnVersion[],
  what: string,
): Promise<string[]> {
  if (trainedOn.length === 0 || trainedOn.length > 32) {
    throw new ApiError(
      400,
      "NO_TRAINED_ON",
      `${what} needs 1 to 32 trained-on datanet versions, got ${trainedOn.length}`,
      "List the datanet versions the model was trained on in `trainedOn` ([{ datanetId, version }]).",
    );
  }
  const seen = new Set<string>();
  for (const t of trainedOn) {
    const key = `${t.datanetId}/${t.version}`;
    if (seen.has(key)) {
      throw new ApiError(
        400,
        "DUPLICATE_TRAINED_ON",
        `datanet ${t.datanetId} version ${t.version} is listed twice in trainedOn`,
        "List each datanet version once.",
      );
    }
    seen.add(key);
  }
  try {
    return await deps.versionSets.indexIds(trainedOn);
  } catch (error) {
    if (!(error instanceof MissingVersionIndexError)) throw error;
    throw new ApiError(
      404,
      "UNKNOWN_DATANET_VERSION",
      `datanet ${error.datanetId} version ${error.version} has no index on this node`,
      "Publish (or index) every trained-on version on this node first: the model's attribution runs on their indexes.",
    );
  }
}

/** 409 `MODEL_NAME_TAKEN` when a model of this node has the name. */
export async function checkName(deps: GatewayDeps, name: string): Promise<void> {
  const taken = await deps.db
    .selectFrom("models")
    .select("model_id")
    .where("name", "=", name)
    .executeTakeFirst();
  if (taken) {
    throw new ApiError(409, "MODEL_NAME_TAKEN", `a model named ${name} exists`, "Choose another name.");
  }
}

/** Registers the model in ModelRegistry; a revert becomes 422 `MODEL_REGISTRATION_REVERTED`. */
export async function registerOnChain(
  deps: GatewayDeps,
  params: Parameters<typeof registerModel>[1],
): Promise<bigint> {
  const chain = requireChain(deps.ctx);
  try {
    return (await registerModel(chain.sdk, params)).modelId;
  } catch (error) {
    if (error instanceof ContractRevertError) {
      throw new ApiError(
        422,
        "MODEL_REGISTRATION_REVERTED",
        `ModelRegistry refused the model: ${error.message}`,
        error.hint ?? "Check the trained-on versions are published and the split sums to 10000.",
        { cause: error },
      );
    }
    throw error;
  }
}
