// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ITributaryToken} from "./interfaces/ITributaryToken.sol";

/// @title TributaryToken
/// @notice "Tributary" (TRIB), 18 decimals, ERC-2612 permit, owner-mintable. For local networks and tests.
contract TributaryToken is ITributaryToken, ERC20, ERC20Permit, Ownable {
    /// @param initialOwner The only account allowed to mint.
    constructor(address initialOwner) ERC20("Tributary", "TRIB") ERC20Permit("Tributary") Ownable(initialOwner) {}

    /// @inheritdoc ITributaryToken
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
