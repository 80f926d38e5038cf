// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title MerkleLeaves
/// @notice The one definition, on chain, of the leaves of Tributary's Merkle trees. They use the
/// OpenZeppelin StandardMerkleTree encoding, `keccak256(bytes.concat(keccak256(abi.encode(...))))`,
/// so the OpenZeppelin merkle-tree package and packages/core/src/merkle build trees these leaves verify in.
/// Both sides are checked against `contracts/test/vectors/merkle.json`.
library MerkleLeaves {
    /// @notice Leaf of the cumulative rewards and charges trees: an account and its all-time total.
    function cumulative(address account, uint256 cumulativeAmount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
    }

    /// @notice Leaf of a datanet version's contributions root.
    function contribution(uint256 contributionId, bytes32 contentHash, address contributor)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(contributionId, contentHash, contributor))));
    }
}
