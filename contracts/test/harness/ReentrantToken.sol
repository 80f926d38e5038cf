// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev Test-only hostile token: when armed, every transfer re-enters `target` with `payload` (for
/// example Settlement.claim for the same account) and records whether the re-entry succeeded.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public payload;
    bool public armed;
    bool public reentrySucceeded;
    bytes public reentryRevertData;
    uint256 public reentryAttempts;

    constructor() ERC20("Hostile", "HOST") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (armed && from == target) {
            armed = false; // one attempt, so the outer transfer can finish
            reentryAttempts += 1;
            (bool ok, bytes memory data) = target.call(payload);
            reentrySucceeded = ok;
            reentryRevertData = data;
        }
    }
}
