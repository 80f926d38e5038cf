// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDatanetRegistry} from "./interfaces/IDatanetRegistry.sol";

/// @title DatanetRegistry
/// @notice Datanets, their contributions, curation, stakes and immutable versions. See {IDatanetRegistry}.
/// @dev Storage per contribution is one packed slot (plus one stake slot only while a non-zero stake is held):
/// `contributor (160 bits) | datanetId (32) | status (8) | size (56)`. The content hash lives in the dedupe mapping
/// key (datanet, contributor, hash: bound to the contributor so a front-runner can neither block nor take a
/// contribution) and the metadata URI only in the {ContributionRegistered} event. Invariant: the registry's token balance equals
/// the sum of `_stakes` (plus any tokens sent to it directly).
contract DatanetRegistry is IDatanetRegistry, Ownable2Step, EIP712, Nonces, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type of a single signed contribution. `stake` is the datanet's stake when signed: a policy
    /// change after signing invalidates the signature instead of pulling more than the contributor agreed to.
    bytes32 public constant CONTRIBUTION_TYPEHASH = keccak256(
        "Contribution(uint256 datanetId,bytes32 contentHash,uint64 size,string metadataURI,uint256 stake,address contributor,uint256 nonce,uint256 deadline)"
    );

    /// @notice EIP-712 type of a signed batch; `stake` is per contribution.
    bytes32 public constant CONTRIBUTION_BATCH_TYPEHASH = keccak256(
        "ContributionBatch(uint256 datanetId,bytes32[] contentHashes,uint64[] sizes,string[] metadataURIs,uint256 stake,address contributor,uint256 nonce,uint256 deadline)"
    );

    uint64 private constant _MAX_SIZE = type(uint56).max;
    uint256 private constant _DATANET_SHIFT = 160;
    uint256 private constant _STATUS_SHIFT = 192;
    uint256 private constant _SIZE_SHIFT = 200;

    struct DatanetData {
        address owner;
        uint64 versionCount;
        bool curated;
        bool refundStakeOnAccept;
        uint256 minStake;
        bytes32 licenseId;
        string metadataURI;
    }

    IERC20 private immutable _token;
    address private _treasury;
    uint256 private _datanetCount;
    uint256 private _contributionCount;

    mapping(uint256 datanetId => DatanetData) private _datanets;
    mapping(uint256 datanetId => mapping(address account => bool)) private _curators;
    mapping(uint256 datanetId => mapping(address contributor => mapping(bytes32 contentHash => uint256 contributionId)))
        private _contributionIdOf;
    mapping(uint256 contributionId => uint256 packed) private _contributions;
    mapping(uint256 contributionId => uint256 stake) private _stakes;
    mapping(uint256 datanetId => mapping(uint64 version => Version)) private _versions;
    mapping(address contributor => address payout) private _payouts;

    /// @param stakeToken ERC20 stakes are paid in.
    /// @param initialOwner Protocol owner (may set the treasury); two-step transferable.
    /// @param treasury_ Receiver of slashed stakes.
    constructor(address stakeToken, address initialOwner, address treasury_)
        Ownable(initialOwner)
        EIP712("Tributary DatanetRegistry", "1")
    {
        if (stakeToken == address(0) || treasury_ == address(0)) revert DatanetRegistryZeroAddress();
        _token = IERC20(stakeToken);
        _treasury = treasury_;
        emit TreasuryUpdated(address(0), treasury_);
    }

    // ---------------------------------------------------------------- modifiers

    modifier onlyDatanetOwner(uint256 datanetId) {
        address owner_ = _datanetOrRevert(datanetId).owner;
        if (owner_ != msg.sender) revert DatanetRegistryNotDatanetOwner(datanetId, msg.sender);
        _;
    }

    modifier onlyCurator(uint256 datanetId) {
        _datanetOrRevert(datanetId);
        if (!isCurator(datanetId, msg.sender)) revert DatanetRegistryNotCurator(datanetId, msg.sender);
        _;
    }

    // ---------------------------------------------------------------- protocol settings

    /// @inheritdoc IDatanetRegistry
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IDatanetRegistry
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IDatanetRegistry
    function setTreasury(address newTreasury) external onlyOwner {
        if (newTreasury == address(0)) revert DatanetRegistryZeroAddress();
        address previous = _treasury;
        _treasury = newTreasury;
        emit TreasuryUpdated(previous, newTreasury);
    }

    // ---------------------------------------------------------------- datanets

    /// @inheritdoc IDatanetRegistry
    function createDatanet(string calldata metadataURI, Policy calldata policy) external returns (uint256 datanetId) {
        datanetId = ++_datanetCount;
        // Contribution records store the datanet id in 32 bits; 2^32 datanets cannot be created in practice.
        SafeCast.toUint32(datanetId);
        DatanetData storage d = _datanets[datanetId];
        d.owner = msg.sender;
        d.metadataURI = metadataURI;
        _setPolicy(d, policy);
        emit DatanetCreated(datanetId, msg.sender, metadataURI, policy);
    }

    /// @inheritdoc IDatanetRegistry
    function setDatanetMetadataURI(uint256 datanetId, string calldata metadataURI)
        external
        onlyDatanetOwner(datanetId)
    {
        _datanets[datanetId].metadataURI = metadataURI;
        emit DatanetMetadataURIUpdated(datanetId, metadataURI);
    }

    /// @inheritdoc IDatanetRegistry
    function setPolicy(uint256 datanetId, Policy calldata policy) external onlyDatanetOwner(datanetId) {
        _setPolicy(_datanets[datanetId], policy);
        emit DatanetPolicyUpdated(datanetId, policy);
    }

    /// @inheritdoc IDatanetRegistry
    function transferDatanetOwnership(uint256 datanetId, address newOwner) external onlyDatanetOwner(datanetId) {
        if (newOwner == address(0)) revert DatanetRegistryZeroAddress();
        _datanets[datanetId].owner = newOwner;
        emit DatanetOwnershipTransferred(datanetId, msg.sender, newOwner);
    }

    /// @inheritdoc IDatanetRegistry
    function addCurator(uint256 datanetId, address curator) external onlyDatanetOwner(datanetId) {
        if (curator == address(0)) revert DatanetRegistryZeroAddress();
        if (_curators[datanetId][curator]) revert DatanetRegistryAlreadyCurator(datanetId, curator);
        _curators[datanetId][curator] = true;
        emit CuratorAdded(datanetId, curator);
    }

    /// @inheritdoc IDatanetRegistry
    function removeCurator(uint256 datanetId, address curator) external onlyDatanetOwner(datanetId) {
        if (!_curators[datanetId][curator]) revert DatanetRegistryCuratorNotFound(datanetId, curator);
        delete _curators[datanetId][curator];
        emit CuratorRemoved(datanetId, curator);
    }

    // ---------------------------------------------------------------- contributions

    /// @inheritdoc IDatanetRegistry
    function contribute(uint256 datanetId, bytes32 contentHash, uint64 size, string calldata metadataURI)
        external
        nonReentrant
        returns (uint256 contributionId)
    {
        return _contributeOne(datanetId, msg.sender, contentHash, size, metadataURI);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeBatch(
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        uint64[] calldata sizes,
        string[] calldata metadataURIs
    ) external nonReentrant returns (uint256 firstContributionId) {
        return _contributeMany(datanetId, msg.sender, contentHashes, sizes, metadataURIs);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeWithSig(
        uint256 datanetId,
        bytes32 contentHash,
        uint64 size,
        string calldata metadataURI,
        address contributor,
        uint256 deadline,
        bytes calldata signature
    ) external nonReentrant returns (uint256 contributionId) {
        (, uint256 stake) = _terms(datanetId);
        bytes32 structHash = keccak256(
            abi.encode(
                CONTRIBUTION_TYPEHASH,
                datanetId,
                contentHash,
                size,
                keccak256(bytes(metadataURI)),
                stake,
                contributor,
                _useNonce(contributor),
                deadline
            )
        );
        _checkSignature(contributor, structHash, deadline, signature);
        return _contributeOne(datanetId, contributor, contentHash, size, metadataURI);
    }

    /// @inheritdoc IDatanetRegistry
    function contributeBatchWithSig(
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        uint64[] calldata sizes,
        string[] calldata metadataURIs,
        address contributor,
        uint256 deadline,
        bytes calldata signature
    ) external nonReentrant returns (uint256 firstContributionId) {
        _checkSignature(
            contributor,
            _batchStructHash(datanetId, contentHashes, sizes, metadataURIs, contributor, deadline),
            deadline,
            signature
        );
        return _contributeMany(datanetId, contributor, contentHashes, sizes, metadataURIs);
    }

    /// @inheritdoc IDatanetRegistry
    function review(uint256 datanetId, uint256[] calldata contributionIds, uint8[] calldata verdicts)
        external
        nonReentrant
        onlyCurator(datanetId)
    {
        uint256 n = contributionIds.length;
        if (n == 0) revert DatanetRegistryEmptyBatch();
        if (verdicts.length != n) revert DatanetRegistryLengthMismatch(n, verdicts.length);
        bool refundOnAccept = _datanets[datanetId].refundStakeOnAccept;
        address treasury_ = _treasury;
        uint256 slashed;
        for (uint256 i; i < n; ++i) {
            slashed += _reviewOne(datanetId, contributionIds[i], verdicts[i], refundOnAccept, treasury_);
        }
        if (slashed != 0) _token.safeTransfer(treasury_, slashed);
    }

    /// @inheritdoc IDatanetRegistry
    function withdrawContribution(uint256 contributionId) external nonReentrant {
        uint256 packed = _contributions[contributionId];
        if (packed == 0) revert DatanetRegistryContributionNotFound(contributionId);
        address contributor = address(uint160(packed));
        if (contributor != msg.sender) revert DatanetRegistryNotContributor(contributionId, msg.sender);
        ContributionStatus status = _statusOf(packed);
        if (status != ContributionStatus.Accepted && status != ContributionStatus.Pending) {
            revert DatanetRegistryContributionNotWithdrawable(contributionId, status);
        }
        _contributions[contributionId] = _withStatus(packed, ContributionStatus.Withdrawn);
        emit ContributionWithdrawn(_datanetOf(packed), contributionId, contributor);
        // A pending contribution's stake waits for the curators' review, so withdrawing cannot dodge a slash.
        if (status == ContributionStatus.Accepted) {
            uint256 stake = _stakes[contributionId];
            if (stake != 0) {
                delete _stakes[contributionId];
                emit StakeReturned(contributionId, contributor, stake);
                _token.safeTransfer(contributor, stake);
            }
        }
    }

    /// @inheritdoc IDatanetRegistry
    function setPayoutAddress(address payout) external {
        if (payout == address(0) || payout == msg.sender) {
            delete _payouts[msg.sender];
            emit PayoutAddressSet(msg.sender, msg.sender);
        } else {
            _payouts[msg.sender] = payout;
            emit PayoutAddressSet(msg.sender, payout);
        }
    }

    // ---------------------------------------------------------------- versions

    /// @inheritdoc IDatanetRegistry
    function publishVersion(uint256 datanetId, bytes32 contributionsRoot, uint64 count, string calldata manifestURI)
        external
        onlyCurator(datanetId)
        returns (uint64 version)
    {
        if (contributionsRoot == bytes32(0) || count == 0) {
            revert DatanetRegistryInvalidVersion(datanetId, contributionsRoot, count);
        }
        DatanetData storage d = _datanets[datanetId];
        version = ++d.versionCount;
        _versions[datanetId][version] = Version({
            contributionsRoot: contributionsRoot,
            count: count,
            publishedAt: uint64(block.timestamp),
            manifestURI: manifestURI
        });
        emit VersionPublished(datanetId, version, contributionsRoot, count, manifestURI);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDatanetRegistry
    function datanetCount() external view returns (uint256) {
        return _datanetCount;
    }

    /// @inheritdoc IDatanetRegistry
    function contributionCount() external view returns (uint256) {
        return _contributionCount;
    }

    /// @inheritdoc IDatanetRegistry
    function getDatanet(uint256 datanetId) external view returns (Datanet memory) {
        DatanetData storage d = _datanetOrRevert(datanetId);
        return Datanet({
            owner: d.owner,
            versionCount: d.versionCount,
            metadataURI: d.metadataURI,
            policy: Policy({
                curated: d.curated,
                minStake: d.minStake,
                licenseId: d.licenseId,
                refundStakeOnAccept: d.refundStakeOnAccept
            })
        });
    }

    /// @inheritdoc IDatanetRegistry
    function getContribution(uint256 contributionId) external view returns (Contribution memory) {
        uint256 packed = _contributions[contributionId];
        if (packed == 0) revert DatanetRegistryContributionNotFound(contributionId);
        return Contribution({
            contributor: address(uint160(packed)),
            datanetId: _datanetOf(packed),
            size: uint64(packed >> _SIZE_SHIFT),
            status: _statusOf(packed),
            stake: _stakes[contributionId]
        });
    }

    /// @inheritdoc IDatanetRegistry
    function contributionIdOf(uint256 datanetId, address contributor, bytes32 contentHash)
        external
        view
        returns (uint256)
    {
        return _contributionIdOf[datanetId][contributor][contentHash];
    }

    /// @inheritdoc IDatanetRegistry
    function isCurator(uint256 datanetId, address account) public view returns (bool) {
        return account != address(0) && (_datanets[datanetId].owner == account || _curators[datanetId][account]);
    }

    /// @inheritdoc IDatanetRegistry
    function versionCount(uint256 datanetId) external view returns (uint64) {
        return _datanets[datanetId].versionCount;
    }

    /// @inheritdoc IDatanetRegistry
    function getVersion(uint256 datanetId, uint64 version) external view returns (Version memory) {
        if (version == 0 || version > _datanets[datanetId].versionCount) {
            revert DatanetRegistryVersionNotFound(datanetId, version);
        }
        return _versions[datanetId][version];
    }

    /// @inheritdoc IDatanetRegistry
    function payoutAddressOf(address contributor) external view returns (address) {
        address payout = _payouts[contributor];
        return payout == address(0) ? contributor : payout;
    }

    /// @inheritdoc IDatanetRegistry
    function nonces(address contributor) public view override(IDatanetRegistry, Nonces) returns (uint256) {
        return super.nonces(contributor);
    }

    /// @notice The EIP-712 domain separator (chain id and this contract's address are part of it).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internals

    function _datanetOrRevert(uint256 datanetId) private view returns (DatanetData storage d) {
        d = _datanets[datanetId];
        if (d.owner == address(0)) revert DatanetRegistryDatanetNotFound(datanetId);
    }

    function _setPolicy(DatanetData storage d, Policy calldata policy) private {
        d.curated = policy.curated;
        d.refundStakeOnAccept = policy.refundStakeOnAccept;
        d.minStake = policy.minStake;
        d.licenseId = policy.licenseId;
    }

    /// @dev Initial status and stake of a new contribution under the datanet's current policy.
    function _terms(uint256 datanetId) private view returns (ContributionStatus status, uint256 stake) {
        DatanetData storage d = _datanetOrRevert(datanetId);
        if (d.curated) return (ContributionStatus.Pending, d.minStake);
        // Open datanet: accepted at once, so a stake refunded on accept would come straight back; pull none.
        return (ContributionStatus.Accepted, d.refundStakeOnAccept ? 0 : d.minStake);
    }

    function _contributeOne(
        uint256 datanetId,
        address contributor,
        bytes32 contentHash,
        uint64 size,
        string calldata metadataURI
    ) private returns (uint256 contributionId) {
        (ContributionStatus status, uint256 stake) = _terms(datanetId);
        contributionId = ++_contributionCount;
        _register(datanetId, contributionId, contributor, contentHash, size, status, stake, metadataURI);
        if (stake != 0) _token.safeTransferFrom(contributor, address(this), stake);
    }

    function _contributeMany(
        uint256 datanetId,
        address contributor,
        bytes32[] calldata contentHashes,
        uint64[] calldata sizes,
        string[] calldata metadataURIs
    ) private returns (uint256 firstContributionId) {
        uint256 n = contentHashes.length;
        if (n == 0) revert DatanetRegistryEmptyBatch();
        if (sizes.length != n) revert DatanetRegistryLengthMismatch(n, sizes.length);
        if (metadataURIs.length != n) revert DatanetRegistryLengthMismatch(n, metadataURIs.length);
        (ContributionStatus status, uint256 stake) = _terms(datanetId);
        firstContributionId = _contributionCount + 1;
        for (uint256 i; i < n; ++i) {
            _register(
                datanetId, firstContributionId + i, contributor, contentHashes[i], sizes[i], status, stake, metadataURIs[i]
            );
        }
        _contributionCount += n;
        if (stake != 0) _token.safeTransferFrom(contributor, address(this), stake * n);
    }

    function _register(
        uint256 datanetId,
        uint256 contributionId,
        address contributor,
        bytes32 contentHash,
        uint64 size,
        ContributionStatus status,
        uint256 stake,
        string calldata metadataURI
    ) private {
        if (contentHash == bytes32(0)) revert DatanetRegistryZeroContentHash(datanetId);
        mapping(bytes32 contentHash => uint256 contributionId) storage ids = _contributionIdOf[datanetId][contributor];
        uint256 existing = ids[contentHash];
        if (existing != 0) revert DatanetRegistryDuplicateContent(datanetId, contributor, contentHash, existing);
        if (size > _MAX_SIZE) revert DatanetRegistrySizeTooLarge(size, _MAX_SIZE);
        ids[contentHash] = contributionId;
        _contributions[contributionId] = uint256(uint160(contributor)) | (datanetId << _DATANET_SHIFT)
            | (uint256(status) << _STATUS_SHIFT) | (uint256(size) << _SIZE_SHIFT);
        if (stake != 0) _stakes[contributionId] = stake;
        emit ContributionRegistered(datanetId, contributionId, contributor, contentHash, size, status, stake, metadataURI);
    }

    /// @dev Applies one verdict; returns the amount slashed (sent to the treasury once per review call).
    function _reviewOne(uint256 datanetId, uint256 contributionId, uint8 verdict, bool refundOnAccept, address treasury_)
        private
        returns (uint256 slashed)
    {
        uint256 packed = _contributions[contributionId];
        if (packed == 0) revert DatanetRegistryContributionNotFound(contributionId);
        if (_datanetOf(packed) != datanetId) revert DatanetRegistryContributionNotInDatanet(datanetId, contributionId);
        if (verdict > uint8(Verdict.RejectAndSlash)) revert DatanetRegistryInvalidVerdict(contributionId, verdict);
        ContributionStatus status = _statusOf(packed);
        uint256 stake = _stakes[contributionId];
        bool pending = status == ContributionStatus.Pending;
        // A contribution withdrawn while pending keeps its stake in escrow until reviewed.
        if (!pending && !(status == ContributionStatus.Withdrawn && stake != 0)) {
            revert DatanetRegistryContributionNotPending(contributionId, status);
        }

        uint256 refund;
        if (verdict == uint8(Verdict.RejectAndSlash)) {
            _contributions[contributionId] = _withStatus(packed, ContributionStatus.Slashed);
            slashed = stake;
            emit ContributionRejected(datanetId, contributionId, msg.sender, true);
        } else if (!pending) {
            // Withdrawn while pending: consent is gone, so Accept and Reject only release the stake.
            refund = stake;
        } else if (verdict == uint8(Verdict.Accept)) {
            _contributions[contributionId] = _withStatus(packed, ContributionStatus.Accepted);
            if (refundOnAccept) refund = stake;
            emit ContributionAccepted(datanetId, contributionId, msg.sender);
        } else {
            _contributions[contributionId] = _withStatus(packed, ContributionStatus.Rejected);
            refund = stake;
            emit ContributionRejected(datanetId, contributionId, msg.sender, false);
        }

        if (slashed != 0) {
            delete _stakes[contributionId];
            emit StakeSlashed(contributionId, treasury_, slashed);
        } else if (refund != 0) {
            delete _stakes[contributionId];
            address contributor = address(uint160(packed));
            emit StakeReturned(contributionId, contributor, refund);
            _token.safeTransfer(contributor, refund);
        }
    }

    function _batchStructHash(
        uint256 datanetId,
        bytes32[] calldata contentHashes,
        uint64[] calldata sizes,
        string[] calldata metadataURIs,
        address contributor,
        uint256 deadline
    ) private returns (bytes32) {
        (, uint256 stake) = _terms(datanetId);
        bytes32[] memory uriHashes = new bytes32[](metadataURIs.length);
        for (uint256 i; i < metadataURIs.length; ++i) {
            uriHashes[i] = keccak256(bytes(metadataURIs[i]));
        }
        // EIP-712 encodes an array as the keccak of its elements' 32-byte encodings concatenated; encodePacked pads
        // array elements to 32 bytes, so uint64[] is encoded as required.
        return keccak256(
            abi.encode(
                CONTRIBUTION_BATCH_TYPEHASH,
                datanetId,
                keccak256(abi.encodePacked(contentHashes)),
                keccak256(abi.encodePacked(sizes)),
                keccak256(abi.encodePacked(uriHashes)),
                stake,
                contributor,
                _useNonce(contributor),
                deadline
            )
        );
    }

    function _checkSignature(address contributor, bytes32 structHash, uint256 deadline, bytes calldata signature)
        private
        view
    {
        if (block.timestamp > deadline) revert DatanetRegistrySignatureExpired(deadline, block.timestamp);
        if (!SignatureChecker.isValidSignatureNow(contributor, _hashTypedDataV4(structHash), signature)) {
            revert DatanetRegistryInvalidSignature(contributor);
        }
    }

    function _datanetOf(uint256 packed) private pure returns (uint256) {
        return uint32(packed >> _DATANET_SHIFT);
    }

    function _statusOf(uint256 packed) private pure returns (ContributionStatus) {
        return ContributionStatus(uint8(packed >> _STATUS_SHIFT));
    }

    function _withStatus(uint256 packed, ContributionStatus status) private pure returns (uint256) {
        return (packed & ~(uint256(0xff) << _STATUS_SHIFT)) | (uint256(status) << _STATUS_SHIFT);
    }
}
