// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title IDatanetRegistry
/// @notice Datanets are community datasets whose every contribution is recorded here: who contributed which content
/// hash, under which policy, with which stake, how curators judged it, whether the contributor withdrew consent,
/// and the immutable versions (Merkle roots of accepted contributions) that models are trained on.
/// @dev Stake policy, in one place:
/// - a contribution escrows exactly the datanet's `minStake` at the time it is registered (0 escrows nothing);
///   the amount is recorded per contribution, so later policy changes never touch stakes already held;
/// - open datanets (`curated == false`): contributions start Accepted; with `refundStakeOnAccept` nothing is pulled
///   at all (it would be refunded in the same transaction), otherwise the stake stays locked until the contributor
///   withdraws consent;
/// - curated datanets: contributions start Pending. Accept refunds the stake when `refundStakeOnAccept`, else keeps
///   it locked until withdrawal; Reject refunds it; RejectAndSlash sends it to the treasury;
/// - withdrawing an Accepted contribution returns its locked stake at once. Withdrawing a Pending contribution
///   revokes consent at once (it can never be accepted) but its stake stays in escrow until a curator reviews it
///   (Accept or Reject return it, RejectAndSlash slashes it), so withdrawing cannot be used to dodge a slash;
/// - stakes always return to the contributor address that paid them, never to its payout address.
/// The verdict a curator gives uses the policy in force at review time.
/// Content is deduplicated per (datanet, contributor, content hash), not per (datanet, content hash): a content
/// hash is public as soon as a transaction carrying it is broadcast, so a registry that gave a hash to whoever
/// registered it first would let anyone who saw a pending (relayed) contribution block it or take it over. Bound to
/// the contributor, a copy under another address neither blocks the original nor passes as it (it is another
/// contributor's record); which of several contributors of the same text counts is decided off chain by the node
/// from the signed uploads it holds (see docs/contracts-registries.md).
interface IDatanetRegistry {
    /// @notice Lifecycle of a contribution. `None` means the id does not exist.
    enum ContributionStatus {
        None,
        Pending,
        Accepted,
        Rejected,
        Slashed,
        Withdrawn
    }

    /// @notice A datanet's rules.
    /// @param curated True: contributions start Pending and need a curator's review. False: they start Accepted.
    /// @param minStake Token amount escrowed per contribution (0 allowed). See the stake policy above.
    /// @param licenseId License of the data, e.g. the SPDX id right-padded to 32 bytes or its keccak256.
    /// @param refundStakeOnAccept True: the stake is returned when the contribution is accepted. False: it stays
    /// locked while the contribution is accepted and returns when the contributor withdraws consent.
    struct Policy {
        bool curated;
        uint256 minStake;
        bytes32 licenseId;
        bool refundStakeOnAccept;
    }

    /// @notice A datanet as returned by {getDatanet}.
    struct Datanet {
        address owner;
        uint64 versionCount;
        string metadataURI;
        Policy policy;
    }

    /// @notice A contribution as returned by {getContribution}. The content hash and metadata URI are in the
    /// {ContributionRegistered} event (not stored, to keep registration cheap); {contributionIdOf} checks a contributor's hash.
    /// @param stake Stake still held in escrow for it (0 once returned or slashed).
    struct Contribution {
        address contributor;
        uint256 datanetId;
        uint64 size;
        ContributionStatus status;
        uint256 stake;
    }

    /// @notice An immutable snapshot of a datanet.
    /// @param contributionsRoot StandardMerkleTree root over the accepted contributions, leaf
    /// `(uint256 contributionId, bytes32 contentHash, address contributor)`.
    /// @param count Number of leaves.
    /// @param publishedAt Block timestamp of the publication.
    /// @param manifestURI Where the version manifest (contributions, hashes, index files) is stored.
    struct Version {
        bytes32 contributionsRoot;
        uint64 count;
        uint64 publishedAt;
        string manifestURI;
    }

    /// @notice Verdicts of {review}, passed as `uint8`.
    enum Verdict {
        Accept,
        Reject,
        RejectAndSlash
    }

    // ---------------------------------------------------------------- events

    /// @notice A datanet was created; `owner` is its creator.
    event DatanetCreated(uint256 indexed datanetId, address indexed owner, string metadataURI, Policy policy);
    /// @notice The datanet's metadata URI was replaced.
    event DatanetMetadataURIUpdated(uint256 indexed datanetId, string metadataURI);
    /// @notice The datanet's policy was replaced; it applies to contributions and reviews from now on.
    event DatanetPolicyUpdated(uint256 indexed datanetId, Policy policy);
    /// @notice The datanet changed owner.
    event DatanetOwnershipTransferred(uint256 indexed datanetId, address indexed previousOwner, address indexed newOwner);
    /// @notice `curator` may now review contributions and publish versions of the datanet.
    event CuratorAdded(uint256 indexed datanetId, address indexed curator);
    /// @notice `curator` lost the curator role of the datanet.
    event CuratorRemoved(uint256 indexed datanetId, address indexed curator);
    /// @notice A contribution was registered with `status` Pending (curated) or Accepted (open), escrowing `stake`.
    event ContributionRegistered(
        uint256 indexed datanetId,
        uint256 indexed contributionId,
        address indexed contributor,
        bytes32 contentHash,
        uint64 size,
        ContributionStatus status,
        uint256 stake,
        string metadataURI
    );
    /// @notice A curator accepted a pending contribution.
    event ContributionAccepted(uint256 indexed datanetId, uint256 indexed contributionId, address indexed curator);
    /// @notice A curator rejected a contribution; `slashed` when its stake went to the treasury.
    event ContributionRejected(
        uint256 indexed datanetId, uint256 indexed contributionId, address indexed curator, bool slashed
    );
    /// @notice The contributor withdrew consent: the contribution is excluded from every later version.
    event ContributionWithdrawn(uint256 indexed datanetId, uint256 indexed contributionId, address indexed contributor);
    /// @notice Escrowed stake went back to the contributor.
    event StakeReturned(uint256 indexed contributionId, address indexed contributor, uint256 amount);
    /// @notice Escrowed stake was slashed to the treasury.
    event StakeSlashed(uint256 indexed contributionId, address indexed treasury, uint256 amount);
    /// @notice A version (immutable snapshot) of the datanet was published.
    event VersionPublished(
        uint256 indexed datanetId, uint64 indexed version, bytes32 contributionsRoot, uint64 count, string manifestURI
    );
    /// @notice Rewards of `contributor` are paid to `payout` from now on (`payout == contributor` resets it).
    event PayoutAddressSet(address indexed contributor, address indexed payout);
    /// @notice Slashed stakes go to `newTreasury` from now on.
    event TreasuryUpdated(address indexed previousTreasury, address indexed newTreasury);

    // ---------------------------------------------------------------- errors

    /// @notice An address that must be set (token, treasury, new owner) was zero.
    error DatanetRegistryZeroAddress();
    /// @notice No datanet has id `datanetId`.
    error DatanetRegistryDatanetNotFound(uint256 datanetId);
    /// @notice Only the datanet's owner may do this.
    error DatanetRegistryNotDatanetOwner(uint256 datanetId, address caller);
    /// @notice Only a curator (or the owner) of the datanet may do this.
    error DatanetRegistryNotCurator(uint256 datanetId, address caller);
    /// @notice `account` already has the curator role.
    error DatanetRegistryAlreadyCurator(uint256 datanetId, address account);
    /// @notice `account` does not have the curator role.
    error DatanetRegistryCuratorNotFound(uint256 datanetId, address account);
    /// @notice The content hash is zero, which no real content hashes to.
    error DatanetRegistryZeroContentHash(uint256 datanetId);
    /// @notice `contributor` already registered this content in the datanet, as `existingContributionId`.
    error DatanetRegistryDuplicateContent(
        uint256 datanetId, address contributor, bytes32 contentHash, uint256 existingContributionId
    );
    /// @notice `size` exceeds what a contribution record stores (2^56 - 1 bytes).
    error DatanetRegistrySizeTooLarge(uint64 size, uint64 maxSize);
    /// @notice Parallel arrays differ in length.
    error DatanetRegistryLengthMismatch(uint256 expected, uint256 actual);
    /// @notice A batch must hold at least one item.
    error DatanetRegistryEmptyBatch();
    /// @notice No contribution has id `contributionId`.
    error DatanetRegistryContributionNotFound(uint256 contributionId);
    /// @notice The contribution belongs to another datanet.
    error DatanetRegistryContributionNotInDatanet(uint256 datanetId, uint256 contributionId);
    /// @notice Only pending contributions (or withdrawn ones whose stake awaits review) can be reviewed.
    error DatanetRegistryContributionNotPending(uint256 contributionId, ContributionStatus status);
    /// @notice `verdict` is not 0 (Accept), 1 (Reject) or 2 (RejectAndSlash).
    error DatanetRegistryInvalidVerdict(uint256 contributionId, uint8 verdict);
    /// @notice Only the contributor may withdraw the contribution.
    error DatanetRegistryNotContributor(uint256 contributionId, address caller);
    /// @notice Only Pending or Accepted contributions can be withdrawn.
    error DatanetRegistryContributionNotWithdrawable(uint256 contributionId, ContributionStatus status);
    /// @notice The signature's deadline has passed.
    error DatanetRegistrySignatureExpired(uint256 deadline, uint256 timestamp);
    /// @notice The signature is not `contributor`'s over this message (wrong signer, chain, contract, nonce, stake
    /// or data; a replayed signature fails here because its nonce is used).
    error DatanetRegistryInvalidSignature(address contributor);
    /// @notice A version needs a non-zero root and at least one contribution.
    error DatanetRegistryInvalidVersion(uint256 datanetId, bytes32 contributionsRoot, uint64 count);
    /// @notice The datanet has no version `version`.
    error DatanetRegistryVersionNotFound(uint256 datanetId, uint64 version);

    // ---------------------------------------------------------------- protocol settings

    /// @notice The ERC20 stakes are paid in.
    function token() external view returns (address);

    /// @notice Where slashed stakes go.
    function treasury() external view returns (address);

    /// @notice Sets where slashed stakes go. Only the registry owner.
    /// @param newTreasury Non-zero address.
    function setTreasury(address newTreasury) external;

    // ---------------------------------------------------------------- datanets

    /// @notice Creates a datanet owned by the caller.
    /// @param metadataURI Where its name, description and card are stored.
    /// @param policy Its rules.
    /// @return datanetId The new id (ids start at 1).
    function createDatanet(string calldata metadataURI, Policy calldata policy) external returns (uint256 datanetId);

    /// @notice Replaces the datanet's metadata URI. Only the datanet owner.
    function setDatanetMetadataURI(uint256 datanetId, string calldata metadataURI) external;

    /// @notice Replaces the datanet's policy for future contributions and reviews. Only the datanet owner.
    function setPolicy(uint256 datanetId, Policy calldata policy) external;

    /// @notice Hands the datanet to `newOwner` (single step: check the address). Only the datanet owner.
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external;

    /// @notice Gives `curator` the curator role of the datanet. Only the datanet owner.
    function addCurator(uint256 datanetId, address curator) external;

    /// @notice Takes the curator role of the datanet from `curator`. Only the datanet owner.
    function removeCurator(uint256 datanetId, address curator) external;

    // ---------------------------------------------------------------- contributions

    /// @notice Registers a contribution of the caller, pulling the datanet's stake from the caller (approve first).
    /// @param datanetId Target datanet.
    /// @param contentHash Hash of the normalized content (sha-256); once per datanet and contributor.
    /// @param size Content size in bytes.
    /// @param metadataURI Where the content and its metadata are stored (emitted, not stored).
    /// @return contributionId The new global id (ids start at 1).
    function contribute(uint256 datanetId, bytes32 contentHash, uint64 size, string calldata metadataURI)
        external
        returns (uint256 contributionId);

    /// @notice Registers many contributions of the caller in one transaction; the total stake is pulled once.
    /// @return firstContributionId Id of the first; the others follow consecutively in input order.
    function contributeBatch(
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        uint64[] calldata sizes,
        string[] calldata metadataURIs
    ) external returns (uint256 firstContributionId);

    /// @notice Registers a contribution signed by `contributor` (EIP-712 `Contribution`), relayed by anyone who pays
    /// the gas. The stake is pulled from `contributor` (who approved the registry, e.g. via ERC-2612 permit).
    /// @param deadline Last timestamp at which the signature is valid.
    /// @param signature ECDSA signature of an EOA or ERC-1271 signature of a contract wallet.
    function contributeWithSig(
        uint256 datanetId,
        bytes32 contentHash,
        uint64 size,
        string calldata metadataURI,
        address contributor,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 contributionId);

    /// @notice Batch variant of {contributeWithSig}: one EIP-712 `ContributionBatch` signature covers all items.
    function contributeBatchWithSig(
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        uint64[] calldata sizes,
        string[] calldata metadataURIs,
        address contributor,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 firstContributionId);

    /// @notice Judges contributions of the datanet. Only a curator or the owner.
    /// @param contributionIds Pending contributions of this datanet (or withdrawn ones whose stake is still held).
    /// @param verdicts One per id: 0 Accept, 1 Reject (stake returned), 2 RejectAndSlash (stake to the treasury).
    function review(uint256 datanetId, uint256[] calldata contributionIds, uint8[] calldata verdicts) external;

    /// @notice The contributor revokes consent: the contribution is excluded from every later version. A held stake
    /// of an accepted contribution is returned; that of a pending one waits for the review (see the stake policy).
    function withdrawContribution(uint256 contributionId) external;

    /// @notice Sets the wallet the caller's rewards are paid to (zero or the caller itself resets it).
    function setPayoutAddress(address payout) external;

    // ---------------------------------------------------------------- versions

    /// @notice Publishes an immutable snapshot of the datanet. Only a curator or the owner.
    /// @return version The new version number (1, 2, ...).
    function publishVersion(uint256 datanetId, bytes32 contributionsRoot, uint64 count, string calldata manifestURI)
        external
        returns (uint64 version);

    // ---------------------------------------------------------------- views

    /// @notice Number of datanets created; ids are 1..datanetCount.
    function datanetCount() external view returns (uint256);

    /// @notice Number of contributions registered; ids are 1..contributionCount.
    function contributionCount() external view returns (uint256);

    /// @notice The datanet `datanetId`; reverts with {DatanetRegistryDatanetNotFound} when absent.
    function getDatanet(uint256 datanetId) external view returns (Datanet memory);

    /// @notice The contribution `contributionId`; reverts with {DatanetRegistryContributionNotFound} when absent.
    function getContribution(uint256 contributionId) external view returns (Contribution memory);

    /// @notice Id of `contributor`'s contribution of `contentHash` in the datanet, 0 when none. Another address's
    /// registration of the same hash is a different record (see the dedupe rule above).
    function contributionIdOf(uint256 datanetId, address contributor, bytes32 contentHash)
        external
        view
        returns (uint256);

    /// @notice Whether `account` may review and publish for the datanet (a curator or the owner).
    function isCurator(uint256 datanetId, address account) external view returns (bool);

    /// @notice Number of published versions of the datanet (0 for an unknown datanet).
    function versionCount(uint256 datanetId) external view returns (uint64);

    /// @notice Version `version` of the datanet; reverts with {DatanetRegistryVersionNotFound} when absent.
    function getVersion(uint256 datanetId, uint64 version) external view returns (Version memory);

    /// @notice Where rewards of `contributor` are paid: its payout address, or itself when none is set.
    function payoutAddressOf(address contributor) external view returns (address);

    /// @notice Next EIP-712 nonce of `contributor` for {contributeWithSig} / {contributeBatchWithSig}.
    function nonces(address contributor) external view returns (uint256);
}
