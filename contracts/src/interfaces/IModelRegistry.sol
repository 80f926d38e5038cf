// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title IModelRegistry
/// @notice Models with their lineage (the published datanet versions they were trained on), their price and the
/// public split of every fee between the model owner and the data contributors.
/// @dev Fee semantics, for one inference of price `p` (from {Pricing}: per call, per output and per input token)
/// called through an agent with fee `a` bps:
/// - the payer is charged `p + p * a / 10000`: the agent fee is ON TOP of the model price (see IAgentRegistry), so
///   an agent can never shrink what the model owner or the contributors earn;
/// - the protocol fee (Settlement's `protocolFeeBps`) is taken from `p` first;
/// - the rest of `p` is split by {Split}: `ownerBps` to the model owner, `dataBps` to the contributors by attribution
///   (or, for an output without attribution, to the trained-on versions pro rata). `ownerBps + dataBps` is exactly
///   10000, so the split always distributes the whole amount; rounding is the off-chain largest-remainder rule.
interface IModelRegistry {
    /// @notice A published datanet version a model was trained on (or retrieves from).
    struct TrainedOn {
        uint256 datanetId;
        uint64 version;
    }

    /// @notice Price of one inference, in token units:
    /// `perCall + ceil(per1kOutputTokens * outputTokens / 1000) + ceil(per1kInputTokens * inputTokens / 1000)`,
    /// each per-token term rounded up on its own (off chain, `computePrice`). Input tokens are the prompt's count
    /// under the receipt's tokenizer, so a long prompt costs more than a short one.
    struct Pricing {
        uint128 perCall;
        uint128 per1kOutputTokens;
        uint128 per1kInputTokens;
    }

    /// @notice Split of the model price after the protocol fee; `ownerBps + dataBps == 10000`.
    struct Split {
        uint16 ownerBps;
        uint16 dataBps;
    }

    /// @notice A model as returned by {getModel}; artifact hash and metadata URI are those of the latest version.
    struct Model {
        address owner;
        bool deprecated;
        uint64 versionCount;
        Pricing pricing;
        Split split;
        string baseModel;
        bytes32 artifactHash;
        string metadataURI;
    }

    /// @notice One version of a model: its artifact and lineage.
    struct ModelVersion {
        bytes32 artifactHash;
        uint64 registeredAt;
        string metadataURI;
        TrainedOn[] trainedOn;
    }

    /// @notice How a version's weights were made, beside its artifact hash and trained-on versions: the hash of the
    /// base model it was fine-tuned from and of its training configuration (zero = not recorded).
    struct Lineage {
        bytes32 baseModelHash;
        bytes32 configHash;
    }

    // ---------------------------------------------------------------- events

    /// @notice A model was registered by `owner`; its version 1 is announced by {ModelVersionPublished}.
    event ModelRegistered(uint256 indexed modelId, address indexed owner, string baseModel, Pricing pricing, Split split);
    /// @notice A version of the model was published (version 1 at registration).
    event ModelVersionPublished(
        uint256 indexed modelId, uint64 indexed version, bytes32 artifactHash, string metadataURI, TrainedOn[] trainedOn
    );
    /// @notice The model's price changed; it applies to inferences served from now on.
    event PricingUpdated(uint256 indexed modelId, Pricing pricing);
    /// @notice The model's split changed; it applies to inferences served from now on.
    event SplitUpdated(uint256 indexed modelId, Split split);
    /// @notice The model was deprecated: no new agent may allow it and it can no longer be changed.
    event ModelDeprecated(uint256 indexed modelId);
    /// @notice The lineage of a model version was recorded (once per version).
    event ModelLineageRecorded(
        uint256 indexed modelId, uint64 indexed version, bytes32 baseModelHash, bytes32 configHash
    );
    /// @notice The model changed owner.
    event ModelOwnershipTransferred(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    // ---------------------------------------------------------------- errors

    /// @notice The datanet registry or a new owner was the zero address.
    error ModelRegistryZeroAddress();
    /// @notice No model has id `modelId`.
    error ModelRegistryModelNotFound(uint256 modelId);
    /// @notice Only the model's owner may do this.
    error ModelRegistryNotModelOwner(uint256 modelId, address caller);
    /// @notice The model is deprecated and can no longer be changed.
    error ModelRegistryDeprecated(uint256 modelId);
    /// @notice `ownerBps + dataBps` must be exactly 10000.
    error ModelRegistryInvalidSplit(uint16 ownerBps, uint16 dataBps);
    /// @notice The datanet `datanetId` has no published version `version`.
    error ModelRegistryDatanetVersionNotFound(uint256 datanetId, uint64 version);
    /// @notice The same datanet version is listed twice.
    error ModelRegistryDuplicateTrainedOn(uint256 datanetId, uint64 version);
    /// @notice A model with a data share (`dataBps > 0`) must list at least one trained-on version, or the data
    /// share of unattributed outputs would have nowhere to go.
    error ModelRegistryNoTrainedOn(uint16 dataBps);
    /// @notice The model has no version `version`.
    error ModelRegistryVersionNotFound(uint256 modelId, uint64 version);
    /// @notice The artifact hash must not be zero.
    error ModelRegistryZeroArtifactHash();
    /// @notice The lineage of this version was already recorded; it cannot change.
    error ModelRegistryLineageAlreadyRecorded(uint256 modelId, uint64 version);
    /// @notice A lineage needs a non-zero base model hash (the artifact a fine-tune started from).
    error ModelRegistryZeroBaseModelHash();

    // ---------------------------------------------------------------- writes

    /// @notice Registers a model owned by the caller, as version 1.
    /// @param metadataURI Where its card (description, training recipe, provenance manifest) is stored.
    /// @param artifactHash Hash of the weights or index files.
    /// @param baseModel Base model name, e.g. "infinigram" or "Qwen2.5-0.5B".
    /// @param trainedOn Published datanet versions it was trained on; each must exist, none twice.
    /// @param pricing Price per call, per 1000 output tokens and per 1000 input (prompt) tokens.
    /// @param split Owner and data shares; `ownerBps + dataBps == 10000`.
    /// @return modelId The new id (ids start at 1).
    function registerModel(
        string calldata metadataURI,
        bytes32 artifactHash,
        string calldata baseModel,
        TrainedOn[] calldata trainedOn,
        Pricing calldata pricing,
        Split calldata split
    ) external returns (uint256 modelId);

    /// @notice Publishes a new version (retrained weights, new data). Only the owner; not when deprecated.
    /// @return version The new version number.
    function publishModelVersion(
        uint256 modelId,
        bytes32 artifactHash,
        string calldata metadataURI,
        TrainedOn[] calldata trainedOn
    ) external returns (uint64 version);

    /// @notice Records how version `version` was made: the sha-256 of the base model it was fine-tuned from and of
    /// its training configuration. Once per version, only the owner, not when deprecated. The adapter or weights
    /// are the version's `artifactHash`, the data its trained-on versions (whose roots DatanetRegistry holds).
    function recordLineage(uint256 modelId, uint64 version, Lineage calldata lineage) external;

    /// @notice Replaces the price. Only the owner; not when deprecated.
    function setPricing(uint256 modelId, Pricing calldata pricing) external;

    /// @notice Replaces the split. Only the owner; not when deprecated.
    function setSplit(uint256 modelId, Split calldata split) external;

    /// @notice Deprecates the model for good. Only the owner.
    function deprecate(uint256 modelId) external;

    /// @notice Hands the model to `newOwner` (single step: check the address). Only the owner.
    function transferModelOwnership(uint256 modelId, address newOwner) external;

    // ---------------------------------------------------------------- views

    /// @notice The DatanetRegistry that trained-on versions are checked against.
    function datanetRegistry() external view returns (address);

    /// @notice Number of models registered; ids are 1..modelCount.
    function modelCount() external view returns (uint256);

    /// @notice The model `modelId`; reverts with {ModelRegistryModelNotFound} when absent.
    function getModel(uint256 modelId) external view returns (Model memory);

    /// @notice Version `version` (1..modelVersionCount) of the model.
    function getModelVersion(uint256 modelId, uint64 version) external view returns (ModelVersion memory);

    /// @notice The lineage of version `version` of the model (zero hashes when none was recorded).
    function getLineage(uint256 modelId, uint64 version) external view returns (Lineage memory);

    /// @notice Trained-on datanet versions of the model's latest version.
    function getTrainedOn(uint256 modelId) external view returns (TrainedOn[] memory);

    /// @notice Number of versions of the model.
    function modelVersionCount(uint256 modelId) external view returns (uint64);

    /// @notice Whether the model is deprecated; reverts with {ModelRegistryModelNotFound} when absent.
    function isDeprecated(uint256 modelId) external view returns (bool);
}
