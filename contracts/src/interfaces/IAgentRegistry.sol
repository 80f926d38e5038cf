// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title IAgentRegistry
/// @notice Agents, in the spirit of ERC-8004 identities: an operator, an agent card URI, the models the agent may
/// call and its fee.
/// @dev The agent fee is charged ON TOP of the model price: an inference of price `p` called through an agent costs
/// the payer `p + p * feeBps / 10000`, and the extra goes to the operator. The model owner's and the contributors'
/// shares (IModelRegistry.Split) are therefore the same whether a model is called directly or through an agent.
interface IAgentRegistry {
    /// @notice An agent as returned by {getAgent}.
    struct Agent {
        address operator;
        bool active;
        uint16 feeBps;
        string agentCardURI;
        uint256[] allowedModels;
    }

    /// @notice An agent was registered; `operator` is its registrant.
    event AgentRegistered(
        uint256 indexed agentId, address indexed operator, string agentCardURI, uint16 feeBps, uint256[] allowedModels
    );
    /// @notice The agent's card URI and fee were replaced.
    event AgentUpdated(uint256 indexed agentId, string agentCardURI, uint16 feeBps);
    /// @notice The agent's allowed models were replaced by `allowedModels`.
    event AllowedModelsSet(uint256 indexed agentId, uint256[] allowedModels);
    /// @notice The agent was deactivated for good.
    event AgentDeactivated(uint256 indexed agentId);

    /// @notice The model registry address was zero.
    error AgentRegistryZeroAddress();
    /// @notice No agent has id `agentId`.
    error AgentRegistryAgentNotFound(uint256 agentId);
    /// @notice Only the agent's operator may do this.
    error AgentRegistryNotOperator(uint256 agentId, address caller);
    /// @notice The agent is deactivated and can no longer be changed.
    error AgentRegistryAgentInactive(uint256 agentId);
    /// @notice `feeBps` is above the maximum.
    error AgentRegistryFeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice No model has id `modelId`.
    error AgentRegistryModelNotFound(uint256 modelId);
    /// @notice The model `modelId` is deprecated and cannot be newly allowed.
    error AgentRegistryModelDeprecated(uint256 modelId);
    /// @notice `modelId` is listed twice.
    error AgentRegistryDuplicateModel(uint256 modelId);

    /// @notice Registers an agent operated by the caller.
    /// @param agentCardURI Where its agent card (name, description, endpoints) is stored.
    /// @param allowedModels Models it may call; each must exist, not be deprecated, and appear once.
    /// @param feeBps Agent fee on top of the model price, at most {MAX_FEE_BPS}.
    /// @return agentId The new id (ids start at 1).
    function registerAgent(string calldata agentCardURI, uint256[] calldata allowedModels, uint16 feeBps)
        external
        returns (uint256 agentId);

    /// @notice Replaces the agent card URI and fee. Only the operator of an active agent.
    function updateAgent(uint256 agentId, string calldata agentCardURI, uint16 feeBps) external;

    /// @notice Replaces the list of allowed models. Only the operator of an active agent.
    function setAllowedModels(uint256 agentId, uint256[] calldata allowedModels) external;

    /// @notice Deactivates the agent for good. Only the operator of an active agent.
    function deactivate(uint256 agentId) external;

    /// @notice Highest agent fee, in basis points of the model price.
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice The ModelRegistry allowed models are checked against.
    function modelRegistry() external view returns (address);

    /// @notice Number of agents registered; ids are 1..agentCount.
    function agentCount() external view returns (uint256);

    /// @notice The agent `agentId`; reverts with {AgentRegistryAgentNotFound} when absent.
    function getAgent(uint256 agentId) external view returns (Agent memory);

    /// @notice Whether the agent is active, lists `modelId`, and the model is not deprecated (false for unknown ids).
    function isModelAllowed(uint256 agentId, uint256 modelId) external view returns (bool);
}
