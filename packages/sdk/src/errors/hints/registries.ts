import type { RevertHint } from "./index.ts";

const str = (v: unknown) => String(v);
const statusNames = ["None", "Pending", "Accepted", "Rejected", "Slashed", "Withdrawn"];
const status = (v: unknown) => statusNames[Number(v)] ?? str(v);
const time = (v: unknown) => {
  const s = Number(v);
  return Number.isFinite(s) && s > 0 ? `${new Date(s * 1000).toISOString()} (unix ${s})` : str(v);
};

/**
 * What to do for each custom error of TributaryToken, DatanetRegistry, ModelRegistry and AgentRegistry (and the
 * OpenZeppelin errors they surface: ERC20 balance and allowance, ERC-2612 permits, ownership), keyed by error name;
 * the arguments are the decoded error arguments in ABI order.
 */
export const registryHints: Record<string, RevertHint> = {
  // ---------------------------------------------------------------- DatanetRegistry
  DatanetRegistryZeroAddress: () => "Pass a non-zero address (token, treasury, curator or new owner).",
  DatanetRegistryDatanetNotFound: ([datanetId]) =>
    `There is no datanet ${str(datanetId)}; list datanets (getDatanetCount) and pass an existing id.`,
  DatanetRegistryNotDatanetOwner: ([datanetId, caller]) =>
    `${str(caller)} is not the owner of datanet ${str(datanetId)}; send this from the owner's account (getDatanet shows it).`,
  DatanetRegistryNotCurator: ([datanetId, caller]) =>
    `${str(caller)} is not a curator of datanet ${str(datanetId)}; ask the datanet owner to addCurator it, or use a curator's account.`,
  DatanetRegistryAlreadyCurator: ([datanetId, account]) =>
    `${str(account)} is already a curator of datanet ${str(datanetId)}; nothing to do.`,
  DatanetRegistryCuratorNotFound: ([datanetId, account]) =>
    `${str(account)} is not a curator of datanet ${str(datanetId)}, so it cannot be removed; check the address.`,
  DatanetRegistryZeroContentHash: ([datanetId]) =>
    `The content hash for datanet ${str(datanetId)} is zero; pass the sha-256 of the normalized content.`,
  DatanetRegistryDuplicateContent: ([datanetId, contributor, contentHash, existingId]) =>
    `${str(contributor)} already registered content ${str(contentHash)} in datanet ${str(datanetId)} as contribution ${str(existingId)}; drop it from the upload (a batch reverts as a whole).`,
  DatanetRegistrySizeTooLarge: ([size, max]) =>
    `A contribution of ${str(size)} bytes exceeds the ${str(max)}-byte limit; split the content.`,
  DatanetRegistryLengthMismatch: ([expected, actual]) =>
    `The parallel arrays differ in length (${str(expected)} vs ${str(actual)}); pass one entry per item in each.`,
  DatanetRegistryEmptyBatch: () => "The batch is empty; pass at least one item.",
  DatanetRegistryContributionNotFound: ([id]) =>
    `There is no contribution ${str(id)}; check the id (getContributionCount gives the highest).`,
  DatanetRegistryContributionNotInDatanet: ([datanetId, id]) =>
    `Contribution ${str(id)} does not belong to datanet ${str(datanetId)}; review it under its own datanet (getContribution shows it).`,
  DatanetRegistryContributionNotPending: ([id, s]) =>
    `Contribution ${str(id)} is ${status(s)}, not Pending; only pending contributions can be reviewed. Remove it from the batch.`,
  DatanetRegistryInvalidVerdict: ([id, verdict]) =>
    `Verdict ${str(verdict)} for contribution ${str(id)} is not 0 (accept), 1 (reject) or 2 (reject and slash).`,
  DatanetRegistryNotContributor: ([id, caller]) =>
    `${str(caller)} did not make contribution ${str(id)}; only its contributor can withdraw it.`,
  DatanetRegistryContributionNotWithdrawable: ([id, s]) =>
    `Contribution ${str(id)} is ${status(s)}; only Pending or Accepted contributions can be withdrawn.`,
  DatanetRegistrySignatureExpired: ([deadline, now]) =>
    `The contributor's signature expired at ${time(deadline)} (chain time ${time(now)}); have the contributor sign again with a later deadline.`,
  DatanetRegistryInvalidSignature: ([contributor]) =>
    `The signature is not ${str(contributor)}'s over this exact contribution. Re-sign with getContributionSigningTerms: the nonce may be used (replay, or signatures relayed out of order), the datanet's stake may have changed, or it was signed for another chain or registry.`,
  DatanetRegistryInvalidVersion: ([datanetId, root, count]) =>
    `A version of datanet ${str(datanetId)} needs a non-zero root and count (got root ${str(root)}, count ${str(count)}); accept contributions and build the tree first.`,
  DatanetRegistryVersionNotFound: ([datanetId, version]) =>
    `Datanet ${str(datanetId)} has no version ${str(version)}; versions run from 1 to getVersionCount.`,

  // ---------------------------------------------------------------- ModelRegistry
  ModelRegistryZeroAddress: () => "Pass a non-zero address.",
  ModelRegistryModelNotFound: ([modelId]) =>
    `There is no model ${str(modelId)}; list models (getModelCount) and pass an existing id.`,
  ModelRegistryNotModelOwner: ([modelId, caller]) =>
    `${str(caller)} does not own model ${str(modelId)}; send this from the owner's account (getModel shows it).`,
  ModelRegistryDeprecated: ([modelId]) =>
    `Model ${str(modelId)} is deprecated and can no longer change; register a new model instead.`,
  ModelRegistryInvalidSplit: ([ownerBps, dataBps]) =>
    `ownerBps ${str(ownerBps)} + dataBps ${str(dataBps)} must be exactly 10000 (the protocol fee is taken before, the agent fee is on top).`,
  ModelRegistryDatanetVersionNotFound: ([datanetId, version]) =>
    `Datanet ${str(datanetId)} has no published version ${str(version)}; publish it first or fix the trained-on list.`,
  ModelRegistryDuplicateTrainedOn: ([datanetId, version]) =>
    `Datanet ${str(datanetId)} version ${str(version)} is listed twice in trainedOn; list each version once.`,
  ModelRegistryNoTrainedOn: ([dataBps]) =>
    `A model with a data share (dataBps ${str(dataBps)}) must list at least one trained-on datanet version; add one, or set dataBps to 0.`,
  ModelRegistryVersionNotFound: ([modelId, version]) =>
    `Model ${str(modelId)} has no version ${str(version)}; versions run from 1 to getModelVersionCount.`,
  ModelRegistryZeroArtifactHash: () =>
    "The artifact hash is zero; pass the hash of the weights or index files.",
  ModelRegistryLineageAlreadyRecorded: ([modelId, version]) =>
    `The lineage of model ${str(modelId)} version ${str(version)} is already recorded and cannot change; read it with getLineage.`,
  ModelRegistryZeroBaseModelHash: () =>
    "The base model hash is zero; pass the sha-256 of the base model's weights (GGUF) the version was trained from.",

  // ---------------------------------------------------------------- AgentRegistry
  AgentRegistryZeroAddress: () => "Pass a non-zero model registry address.",
  AgentRegistryAgentNotFound: ([agentId]) =>
    `There is no agent ${str(agentId)}; list agents (getAgentCount) and pass an existing id.`,
  AgentRegistryNotOperator: ([agentId, caller]) =>
    `${str(caller)} does not operate agent ${str(agentId)}; send this from the operator's account (getAgent shows it).`,
  AgentRegistryAgentInactive: ([agentId]) =>
    `Agent ${str(agentId)} is deactivated and can no longer change; register a new agent.`,
  AgentRegistryFeeTooHigh: ([feeBps, max]) =>
    `An agent fee of ${str(feeBps)} bps exceeds the maximum of ${str(max)} bps; lower it.`,
  AgentRegistryModelNotFound: ([modelId]) =>
    `There is no model ${str(modelId)}; remove it from allowedModels or register it first.`,
  AgentRegistryModelDeprecated: ([modelId]) =>
    `Model ${str(modelId)} is deprecated and cannot be allowed; remove it from allowedModels.`,
  AgentRegistryDuplicateModel: ([modelId]) =>
    `Model ${str(modelId)} appears twice in allowedModels; list it once.`,

  // ---------------------------------------------------------------- OpenZeppelin errors these contracts surface
  ERC20InsufficientAllowance: ([spender, allowance, needed]) =>
    `${str(spender)} may pull only ${str(allowance)} but needs ${str(needed)}; approve it for at least ${str(needed)} (approveTokens, or a permit).`,
  ERC20InsufficientBalance: ([sender, balance, needed]) =>
    `${str(sender)} holds ${str(balance)} tokens but ${str(needed)} are needed; fund the account first.`,
  ERC2612ExpiredSignature: ([deadline]) => `The permit expired at ${time(deadline)}; sign a new one.`,
  ERC2612InvalidSigner: ([signer, owner]) =>
    `The permit was signed by ${str(signer)}, not by the owner ${str(owner)}; sign it with the owner's key and its current nonce (getPermitNonce).`,
  OwnableUnauthorizedAccount: ([account]) =>
    `${str(account)} is not the contract owner; send this from the owner's account.`,
  OwnableInvalidOwner: ([owner]) => `${str(owner)} cannot be the owner; pass a non-zero address.`,
};
