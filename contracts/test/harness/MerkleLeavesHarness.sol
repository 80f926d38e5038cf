// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {MerkleLeaves} from "../../src/libraries/MerkleLeaves.sol";

/// @dev Test-only: exposes the leaf library and proof verification to the shared vectors test.
contract MerkleLeavesHarness {
    function cumulative(address account, uint256 amount) external pure returns (bytes32) {
        return MerkleLeaves.cumulative(account, amount);
    }

    function contribution(uint256 id, bytes32 contentHash, address contributor) external pure returns (bytes32) {
        return MerkleLeaves.contribution(id, contentHash, contributor);
    }

    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
