// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title ITributaryToken
/// @notice The ERC20 (with ERC-2612 permit) that local networks and tests pay in. Production deployments point the
/// registries and Settlement at any existing ERC20 (e.g. OPEN) instead; nothing depends on this contract's extras.
interface ITributaryToken {
    /// @notice Mints `amount` tokens (18 decimals) to `to`. Only the owner may mint; it emits the ERC20 `Transfer`
    /// event from the zero address.
    /// @param to Receiver of the new tokens.
    /// @param amount Amount in the smallest unit.
    function mint(address to, uint256 amount) external;
}
