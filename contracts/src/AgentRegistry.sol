// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAgentRegistry} from "./interfaces/IAgentRegistry.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title AgentRegistry
/// @notice Agents, their operators, allowed models and fees. See {IAgentRegistry} for the fee semantics.
/// @dev Allowed models are kept as a list (for views and events) plus a membership mapping tagged with a generation
/// number: replacing the list bumps the generation, which invalidates every old entry without clearing it.
contract AgentRegistry is IAgentRegistry {
    /// @inheritdoc IAgentRegistry
    uint16 public constant MAX_FEE_BPS = 10_000;

    struct AgentData {
        address operator;
        bool active;
        uint16 feeBps;
        uint32 generation;
        string agentCardURI;
        uint256[] allowedModels;
    }

    IModelRegistry private immutable _models;
    uint256 private _agentCount;
    mapping(uint256 agentId => AgentData) private _agents;
    mapping(uint256 agentId => mapping(uint256 modelId => uint32 generation)) private _allowedIn;

    /// @param modelRegistry_ The ModelRegistry allowed models must exist in.
    constructor(address modelRegistry_) {
        if (modelRegistry_ == address(0)) revert AgentRegistryZeroAddress();
        _models = IModelRegistry(modelRegistry_);
    }

    modifier onlyActiveOperator(uint256 agentId) {
        AgentData storage a = _agentOrRevert(agentId);
        if (a.operator != msg.sender) revert AgentRegistryNotOperator(agentId, msg.sender);
        if (!a.active) revert AgentRegistryAgentInactive(agentId);
        _;
    }

    /// @inheritdoc IAgentRegistry
    function registerAgent(string calldata agentCardURI, uint256[] calldata allowedModels, uint16 feeBps)
        external
        returns (uint256 agentId)
    {
        _checkFee(feeBps);
        agentId = ++_agentCount;
        AgentData storage a = _agents[agentId];
        a.operator = msg.sender;
        a.active = true;
        a.feeBps = feeBps;
        a.agentCardURI = agentCardURI;
        _setAllowed(agentId, a, allowedModels);
        emit AgentRegistered(agentId, msg.sender, agentCardURI, feeBps, allowedModels);
    }

    /// @inheritdoc IAgentRegistry
    function updateAgent(uint256 agentId, string calldata agentCardURI, uint16 feeBps)
        external
        onlyActiveOperator(agentId)
    {
        _checkFee(feeBps);
        AgentData storage a = _agents[agentId];
        a.agentCardURI = agentCardURI;
        a.feeBps = feeBps;
        emit AgentUpdated(agentId, agentCardURI, feeBps);
    }

    /// @inheritdoc IAgentRegistry
    function setAllowedModels(uint256 agentId, uint256[] calldata allowedModels) external onlyActiveOperator(agentId) {
        _setAllowed(agentId, _agents[agentId], allowedModels);
        emit AllowedModelsSet(agentId, allowedModels);
    }

    /// @inheritdoc IAgentRegistry
    function deactivate(uint256 agentId) external onlyActiveOperator(agentId) {
        _agents[agentId].active = false;
        emit AgentDeactivated(agentId);
    }

    /// @inheritdoc IAgentRegistry
    function modelRegistry() external view returns (address) {
        return address(_models);
    }

    /// @inheritdoc IAgentRegistry
    function agentCount() external view returns (uint256) {
        return _agentCount;
    }

    /// @inheritdoc IAgentRegistry
    function getAgent(uint256 agentId) external view returns (Agent memory) {
        AgentData storage a = _agentOrRevert(agentId);
        return Agent({
            operator: a.operator,
            active: a.active,
            feeBps: a.feeBps,
            agentCardURI: a.agentCardURI,
            allowedModels: a.allowedModels
        });
    }

    /// @inheritdoc IAgentRegistry
    function isModelAllowed(uint256 agentId, uint256 modelId) external view returns (bool) {
        AgentData storage a = _agents[agentId];
        // An unknown agent is inactive, so the zero generation of unknown entries never matches an active agent.
        return a.active && _allowedIn[agentId][modelId] == a.generation && !_models.isDeprecated(modelId);
    }

    function _agentOrRevert(uint256 agentId) private view returns (AgentData storage a) {
        a = _agents[agentId];
        if (a.operator == address(0)) revert AgentRegistryAgentNotFound(agentId);
    }

    function _checkFee(uint16 feeBps) private pure {
        if (feeBps > MAX_FEE_BPS) revert AgentRegistryFeeTooHigh(feeBps, MAX_FEE_BPS);
    }

    function _setAllowed(uint256 agentId, AgentData storage a, uint256[] calldata allowedModels) private {
        uint32 generation = ++a.generation;
        uint256 count = _models.modelCount();
        for (uint256 i; i < allowedModels.length; ++i) {
            uint256 modelId = allowedModels[i];
            if (modelId == 0 || modelId > count) revert AgentRegistryModelNotFound(modelId);
            if (_models.isDeprecated(modelId)) revert AgentRegistryModelDeprecated(modelId);
            if (_allowedIn[agentId][modelId] == generation) revert AgentRegistryDuplicateModel(modelId);
            _allowedIn[agentId][modelId] = generation;
        }
        a.allowedModels = allowedModels;
    }
}
