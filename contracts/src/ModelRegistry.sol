// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Models, their versions and lineage, prices and splits. See {IModelRegistry} for the fee semantics.
/// @dev The owner, split, deprecation flag and version count share one slot (20 + 2 + 2 + 1 + 4 bytes). A trained-on
/// entry is stored in one word, `datanetId << 64 | version`: datanet ids are checked to exist, so they are far below
/// 2^192 (DatanetRegistry keeps them under 2^32).
contract ModelRegistry is IModelRegistry {
    uint16 private constant _BPS = 10_000;

    struct ModelData {
        address owner;
        uint16 ownerBps;
        uint16 dataBps;
        bool deprecated;
        uint32 versionCount;
        Pricing pricing;
        string baseModel;
    }

    struct VersionData {
        bytes32 artifactHash;
        uint64 registeredAt;
        string metadataURI;
        uint256[] trainedOn;
    }

    IDatanetRegistry private immutable _datanets;
    uint256 private _modelCount;
    mapping(uint256 modelId => ModelData) private _models;
    mapping(uint256 modelId => mapping(uint64 version => VersionData)) private _versions;
    mapping(uint256 modelId => mapping(uint64 version => Lineage)) private _lineages;

    /// @param datanetRegistry_ The DatanetRegistry trained-on versions must exist in.
    constructor(address datanetRegistry_) {
        if (datanetRegistry_ == address(0)) revert ModelRegistryZeroAddress();
        _datanets = IDatanetRegistry(datanetRegistry_);
    }

    modifier onlyModelOwner(uint256 modelId) {
        ModelData storage m = _modelOrRevert(modelId);
        if (m.owner != msg.sender) revert ModelRegistryNotModelOwner(modelId, msg.sender);
        _;
    }

    modifier notDeprecated(uint256 modelId) {
        if (_models[modelId].deprecated) revert ModelRegistryDeprecated(modelId);
        _;
    }

    // ---------------------------------------------------------------- writes

    /// @inheritdoc IModelRegistry
    function registerModel(
        string calldata metadataURI,
        bytes32 artifactHash,
        string calldata baseModel,
        TrainedOn[] calldata trainedOn,
        Pricing calldata pricing,
        Split calldata split
    ) external returns (uint256 modelId) {
        _checkSplit(split, trainedOn.length);
        modelId = ++_modelCount;
        ModelData storage m = _models[modelId];
        m.owner = msg.sender;
        m.ownerBps = split.ownerBps;
        m.dataBps = split.dataBps;
        m.pricing = pricing;
        m.baseModel = baseModel;
        emit ModelRegistered(modelId, msg.sender, baseModel, pricing, split);
        _publishVersion(modelId, m, artifactHash, metadataURI, trainedOn);
    }

    /// @inheritdoc IModelRegistry
    function publishModelVersion(
        uint256 modelId,
        bytes32 artifactHash,
        string calldata metadataURI,
        TrainedOn[] calldata trainedOn
    ) external onlyModelOwner(modelId) notDeprecated(modelId) returns (uint64 version) {
        ModelData storage m = _models[modelId];
        if (m.dataBps != 0 && trainedOn.length == 0) revert ModelRegistryNoTrainedOn(m.dataBps);
        return _publishVersion(modelId, m, artifactHash, metadataURI, trainedOn);
    }

    /// @inheritdoc IModelRegistry
    function recordLineage(uint256 modelId, uint64 version, Lineage calldata lineage)
        external
        onlyModelOwner(modelId)
        notDeprecated(modelId)
    {
        if (version == 0 || version > _models[modelId].versionCount) {
            revert ModelRegistryVersionNotFound(modelId, version);
        }
        if (lineage.baseModelHash == bytes32(0)) revert ModelRegistryZeroBaseModelHash();
        Lineage storage l = _lineages[modelId][version];
        if (l.baseModelHash != bytes32(0)) revert ModelRegistryLineageAlreadyRecorded(modelId, version);
        l.baseModelHash = lineage.baseModelHash;
        l.configHash = lineage.configHash;
        emit ModelLineageRecorded(modelId, version, lineage.baseModelHash, lineage.configHash);
    }

    /// @inheritdoc IModelRegistry
    function setPricing(uint256 modelId, Pricing calldata pricing)
        external
        onlyModelOwner(modelId)
        notDeprecated(modelId)
    {
        _models[modelId].pricing = pricing;
        emit PricingUpdated(modelId, pricing);
    }

    /// @inheritdoc IModelRegistry
    function setSplit(uint256 modelId, Split calldata split) external onlyModelOwner(modelId) notDeprecated(modelId) {
        ModelData storage m = _models[modelId];
        _checkSplit(split, _versions[modelId][m.versionCount].trainedOn.length);
        m.ownerBps = split.ownerBps;
        m.dataBps = split.dataBps;
        emit SplitUpdated(modelId, split);
    }

    /// @inheritdoc IModelRegistry
    function deprecate(uint256 modelId) external onlyModelOwner(modelId) notDeprecated(modelId) {
        _models[modelId].deprecated = true;
        emit ModelDeprecated(modelId);
    }

    /// @inheritdoc IModelRegistry
    function transferModelOwnership(uint256 modelId, address newOwner) external onlyModelOwner(modelId) {
        if (newOwner == address(0)) revert ModelRegistryZeroAddress();
        _models[modelId].owner = newOwner;
        emit ModelOwnershipTransferred(modelId, msg.sender, newOwner);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IModelRegistry
    function datanetRegistry() external view returns (address) {
        return address(_datanets);
    }

    /// @inheritdoc IModelRegistry
    function modelCount() external view returns (uint256) {
        return _modelCount;
    }

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory) {
        ModelData storage m = _modelOrRevert(modelId);
        VersionData storage latest = _versions[modelId][m.versionCount];
        return Model({
            owner: m.owner,
            deprecated: m.deprecated,
            versionCount: m.versionCount,
            pricing: m.pricing,
            split: Split({ownerBps: m.ownerBps, dataBps: m.dataBps}),
            baseModel: m.baseModel,
            artifactHash: latest.artifactHash,
            metadataURI: latest.metadataURI
        });
    }

    /// @inheritdoc IModelRegistry
    function getModelVersion(uint256 modelId, uint64 version) external view returns (ModelVersion memory) {
        ModelData storage m = _modelOrRevert(modelId);
        if (version == 0 || version > m.versionCount) revert ModelRegistryVersionNotFound(modelId, version);
        VersionData storage v = _versions[modelId][version];
        return ModelVersion({
            artifactHash: v.artifactHash,
            registeredAt: v.registeredAt,
            metadataURI: v.metadataURI,
            trainedOn: _unpackTrainedOn(v.trainedOn)
        });
    }

    /// @inheritdoc IModelRegistry
    function getLineage(uint256 modelId, uint64 version) external view returns (Lineage memory) {
        ModelData storage m = _modelOrRevert(modelId);
        if (version == 0 || version > m.versionCount) revert ModelRegistryVersionNotFound(modelId, version);
        return _lineages[modelId][version];
    }

    /// @inheritdoc IModelRegistry
    function getTrainedOn(uint256 modelId) external view returns (TrainedOn[] memory) {
        return _unpackTrainedOn(_versions[modelId][_modelOrRevert(modelId).versionCount].trainedOn);
    }

    /// @inheritdoc IModelRegistry
    function modelVersionCount(uint256 modelId) external view returns (uint64) {
        return _models[modelId].versionCount;
    }

    /// @inheritdoc IModelRegistry
    function isDeprecated(uint256 modelId) external view returns (bool) {
        return _modelOrRevert(modelId).deprecated;
    }

    // ---------------------------------------------------------------- internals

    function _modelOrRevert(uint256 modelId) private view returns (ModelData storage m) {
        m = _models[modelId];
        if (m.owner == address(0)) revert ModelRegistryModelNotFound(modelId);
    }

    function _checkSplit(Split calldata split, uint256 trainedOnCount) private pure {
        if (uint256(split.ownerBps) + split.dataBps != _BPS) {
            revert ModelRegistryInvalidSplit(split.ownerBps, split.dataBps);
        }
        if (split.dataBps != 0 && trainedOnCount == 0) revert ModelRegistryNoTrainedOn(split.dataBps);
    }

    function _unpackTrainedOn(uint256[] storage packed) private view returns (TrainedOn[] memory list) {
        list = new TrainedOn[](packed.length);
        for (uint256 i; i < packed.length; ++i) {
            uint256 word = packed[i];
            list[i] = TrainedOn({datanetId: word >> 64, version: uint64(word)});
        }
    }

    function _publishVersion(
        uint256 modelId,
        ModelData storage m,
        bytes32 artifactHash,
        string calldata metadataURI,
        TrainedOn[] calldata trainedOn
    ) private returns (uint64 version) {
        if (artifactHash == bytes32(0)) revert ModelRegistryZeroArtifactHash();
        version = ++m.versionCount;
        VersionData storage v = _versions[modelId][version];
        v.artifactHash = artifactHash;
        v.registeredAt = uint64(block.timestamp);
        v.metadataURI = metadataURI;
        for (uint256 i; i < trainedOn.length; ++i) {
            TrainedOn calldata t = trainedOn[i];
            if (t.version == 0 || t.version > _datanets.versionCount(t.datanetId)) {
                revert ModelRegistryDatanetVersionNotFound(t.datanetId, t.version);
            }
            // Lists are short (a few versions), so the quadratic duplicate check costs less than a mapping.
            for (uint256 j; j < i; ++j) {
                if (trainedOn[j].datanetId == t.datanetId && trainedOn[j].version == t.version) {
                    revert ModelRegistryDuplicateTrainedOn(t.datanetId, t.version);
                }
            }
            v.trainedOn.push((t.datanetId << 64) | t.version);
        }
        emit ModelVersionPublished(modelId, version, artifactHash, metadataURI, trainedOn);
    }
}
