// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {ISettlement} from "./interfaces/ISettlement.sol";
import {MerkleLeaves} from "./libraries/MerkleLeaves.sol";

/// @title Settlement
/// @notice Holds payers' deposits, accepts quorum-signed cumulative epoch reports, and pays rewards
/// claims and payers' unspent credit against the latest finalized report.
/// @dev Storage is laid out for the claim path: a claim reads one cold slot of this contract's
/// configuration (the finalized rewards root, which is a slot of its own) and one per account
/// (`_claimed`). Amounts are kept as uint128 where they pack with another one; every report total
/// is bounded by the deposits (solvency check), and deposits are cast with SafeCast.
contract Settlement is ISettlement, Ownable2Step, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @dev A report as kept on chain: five slots, the same layout pending and finalized.
    struct Record {
        bytes32 chargesRoot;
        bytes32 rewardsRoot;
        uint128 cumulativeCharged;
        uint128 cumulativeRewards;
        uint64 epoch;
        uint64 submittedAt;
        uint64 challengeEndsAt;
        uint64 finalizedAt;
        bytes32 digest;
    }

    /// @dev A payer's all-time deposits and withdrawals, one slot.
    struct Payer {
        uint128 deposited;
        uint128 withdrawn;
    }

    /// @inheritdoc ISettlement
    uint16 public constant MAX_PROTOCOL_FEE_BPS = 2000;

    /// @inheritdoc ISettlement
    uint64 public constant MAX_DURATION = 30 days;

    /// @inheritdoc ISettlement
    bytes32 public constant EPOCH_REPORT_TYPEHASH = keccak256(
        "EpochReport(uint64 epoch,bytes32 chargesRoot,bytes32 rewardsRoot,uint256 cumulativeCharged,uint256 cumulativeRewards,bytes32 receiptsRoot,string bundleURI)"
    );

    IERC20 private immutable _token;

    /// @dev The report claims and withdrawals are proven against. Its rewards root sits in a slot of
    /// its own, so a claim pays for one cold SLOAD of it and nothing else of the report.
    Record private _finalized;
    /// @dev The report in its challenge window; `epoch == 0` means none. Its slots are overwritten, not
    /// cleared, so a submission pays nonzero-to-nonzero writes.
    Record private _pending;

    uint128 private _totalDeposited;
    uint128 private _totalWithdrawn;

    mapping(address account => uint256) private _claimed;
    mapping(address payer => Payer) private _payers;
    mapping(address payer => uint64) private _withdrawalRequestedAt;
    mapping(bytes32 digest => bool) private _vetoed;

    EnumerableSet.AddressSet private _attestors;
    uint256 private _quorum;
    address private _guardian;
    uint64 private _challengeWindow;
    address private _treasury;
    uint64 private _withdrawalDelay;
    uint16 private _protocolFeeBps;

    /// @param token_ The ERC20 deposits and payouts are made in.
    /// @param initialOwner Manages attestors, quorum, durations, fee, treasury and guardian (two-step transfer).
    /// @param attestors_ Initial attestors, distinct and nonzero.
    /// @param quorum_ Distinct attestor signatures a report needs, 1..attestors_.length.
    /// @param challengeWindow_ Seconds a report waits before finalization, at most {MAX_DURATION}.
    /// @param withdrawalDelay_ Seconds between a withdrawal request and the withdrawal, at most {MAX_DURATION}.
    /// @param protocolFeeBps_ Protocol share of fees, at most {MAX_PROTOCOL_FEE_BPS}.
    /// @param treasury_ Receives the protocol fee (as a leaf of the rewards tree).
    /// @param guardian_ May veto reports during their challenge window.
    constructor(
        IERC20 token_,
        address initialOwner,
        address[] memory attestors_,
        uint256 quorum_,
        uint64 challengeWindow_,
        uint64 withdrawalDelay_,
        uint16 protocolFeeBps_,
        address treasury_,
        address guardian_
    ) Ownable(initialOwner) EIP712("Tributary Settlement", "1") {
        if (address(token_) == address(0)) revert SettlementZeroAddress("token");
        _token = token_;
        for (uint256 i; i < attestors_.length; ++i) {
            _addAttestor(attestors_[i]);
        }
        _setQuorum(quorum_);
        _setChallengeWindow(challengeWindow_);
        _setWithdrawalDelay(withdrawalDelay_);
        _setProtocolFeeBps(protocolFeeBps_);
        _setTreasury(treasury_);
        _setGuardian(guardian_);
    }

    // ---------------------------------------------------------------- payers

    /// @inheritdoc ISettlement
    function deposit(uint256 amount) external nonReentrant {
        _deposit(msg.sender, amount);
    }

    /// @inheritdoc ISettlement
    function depositFor(address payer, uint256 amount) external nonReentrant {
        if (payer == address(0)) revert SettlementZeroAddress("payer");
        _deposit(payer, amount);
    }

    /// @inheritdoc ISettlement
    function requestWithdrawal() external {
        uint64 requestedAt = _withdrawalRequestedAt[msg.sender];
        if (requestedAt != 0) revert SettlementWithdrawalAlreadyRequested(msg.sender, requestedAt);
        uint64 now_ = uint64(block.timestamp);
        _withdrawalRequestedAt[msg.sender] = now_;
        emit WithdrawalRequested(msg.sender, now_, now_ + _withdrawalDelay);
    }

    /// @inheritdoc ISettlement
    function cancelWithdrawal() external {
        if (_withdrawalRequestedAt[msg.sender] == 0) revert SettlementWithdrawalNotRequested(msg.sender);
        delete _withdrawalRequestedAt[msg.sender];
        emit WithdrawalCancelled(msg.sender);
    }

    /// @inheritdoc ISettlement
    function withdraw(uint256 cumulativeCharged, bytes32[] calldata proof) external nonReentrant {
        address payer = msg.sender;
        (uint64 epoch, uint256 amount) = _checkWithdrawal(payer, cumulativeCharged, proof);

        // The newest accepted report (pending if any, else the finalized one) must stay backed after
        // the payout; with honest reports it always is, since this payer's charges are in it.
        uint256 latestCharged = _pending.epoch != 0 ? _pending.cumulativeCharged : _finalized.cumulativeCharged;
        // amount <= credit <= totalDeposited - totalWithdrawn (one payer's part of it): no underflow.
        uint256 backingAfter = uint256(_totalDeposited) - _totalWithdrawn - amount;
        if (latestCharged > backingAfter) {
            revert SettlementWithdrawalUnbacked(payer, amount, latestCharged, backingAfter);
        }

        // amount <= credit <= deposited < 2**128, so the casts are exact.
        _payers[payer].withdrawn += uint128(amount);
        _totalWithdrawn += uint128(amount);
        delete _withdrawalRequestedAt[payer];
        emit Withdrawn(payer, epoch, amount, cumulativeCharged);
        _token.safeTransfer(payer, amount);
    }

    // ---------------------------------------------------------------- epochs

    /// @inheritdoc ISettlement
    function submitEpoch(EpochReport calldata report, bytes[] calldata signatures) external {
        uint64 pending = _pending.epoch;
        if (pending != 0) revert SettlementEpochPending(pending);
        Record storage fin = _finalized;
        uint64 expected = fin.epoch + 1;
        if (report.epoch != expected) revert SettlementUnexpectedEpoch(report.epoch, expected);

        bytes32 digest = _hashTypedDataV4(_structHash(report));
        if (_vetoed[digest]) revert SettlementReportVetoed(digest);
        address[] memory signers = _recoverSigners(digest, signatures);

        uint256 charged = report.cumulativeCharged;
        uint256 rewards = report.cumulativeRewards;
        _checkTotals(charged, rewards, fin.cumulativeCharged, fin.cumulativeRewards);

        uint64 challengeEndsAt = uint64(block.timestamp) + _challengeWindow;
        // charged <= backing < 2**128 and rewards <= charged (checked), so the casts are exact.
        _pending = Record({
            chargesRoot: report.chargesRoot,
            rewardsRoot: report.rewardsRoot,
            cumulativeCharged: uint128(charged),
            cumulativeRewards: uint128(rewards),
            epoch: expected,
            submittedAt: uint64(block.timestamp),
            challengeEndsAt: challengeEndsAt,
            finalizedAt: 0,
            digest: digest
        });
        _emitSubmitted(report, digest, signers, challengeEndsAt);
    }

    /// @inheritdoc ISettlement
    function vetoEpoch(uint64 epoch, string calldata reason) external {
        if (msg.sender != _guardian) revert SettlementNotGuardian(msg.sender);
        Record storage p = _pending;
        if (epoch == 0 || p.epoch != epoch) revert SettlementEpochNotPending(epoch);
        uint64 challengeEndsAt = p.challengeEndsAt;
        if (block.timestamp >= challengeEndsAt) revert SettlementChallengeWindowClosed(epoch, challengeEndsAt);
        bytes32 digest = p.digest;
        _vetoed[digest] = true;
        p.epoch = 0;
        emit EpochVetoed(epoch, digest, msg.sender, reason);
    }

    /// @inheritdoc ISettlement
    function finalizeEpoch(uint64 epoch) external {
        Record storage p = _pending;
        if (epoch == 0 || p.epoch != epoch) revert SettlementEpochNotPending(epoch);
        uint64 challengeEndsAt = p.challengeEndsAt;
        if (block.timestamp < challengeEndsAt) revert SettlementChallengeWindowOpen(epoch, challengeEndsAt);
        Record memory r = p;
        r.finalizedAt = uint64(block.timestamp);
        _finalized = r;
        p.epoch = 0;
        emit EpochFinalized(epoch, r.digest, r.chargesRoot, r.rewardsRoot, r.cumulativeCharged, r.cumulativeRewards);
    }

    // ---------------------------------------------------------------- claims

    /// @inheritdoc ISettlement
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        nonReentrant
        returns (uint256 amount)
    {
        amount = _claim(_finalized.rewardsRoot, account, cumulativeAmount, proof);
        _token.safeTransfer(account, amount);
    }

    /// @inheritdoc ISettlement
    function claimMany(ClaimRequest[] calldata claims) external nonReentrant returns (uint256 total) {
        bytes32 root = _finalized.rewardsRoot;
        uint256 n = claims.length;
        uint256[] memory amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            ClaimRequest calldata c = claims[i];
            uint256 amount = _claim(root, c.account, c.cumulativeAmount, c.proof);
            amounts[i] = amount;
            total += amount;
        }
        for (uint256 i; i < n; ++i) {
            _token.safeTransfer(claims[i].account, amounts[i]);
        }
    }

    // ---------------------------------------------------------------- owner

    /// @inheritdoc ISettlement
    function addAttestor(address attestor) external onlyOwner {
        _addAttestor(attestor);
    }

    /// @inheritdoc ISettlement
    function removeAttestor(address attestor) external onlyOwner {
        if (!_attestors.remove(attestor)) revert SettlementAttestorNotFound(attestor);
        uint256 count = _attestors.length();
        if (_quorum > count) revert SettlementInvalidQuorum(_quorum, count);
        emit AttestorRemoved(attestor);
    }

    /// @inheritdoc ISettlement
    function setQuorum(uint256 quorum_) external onlyOwner {
        _setQuorum(quorum_);
    }

    /// @inheritdoc ISettlement
    function setChallengeWindow(uint64 window) external onlyOwner {
        _setChallengeWindow(window);
    }

    /// @inheritdoc ISettlement
    function setWithdrawalDelay(uint64 delay) external onlyOwner {
        _setWithdrawalDelay(delay);
    }

    /// @inheritdoc ISettlement
    function setProtocolFeeBps(uint16 bps) external onlyOwner {
        _setProtocolFeeBps(bps);
    }

    /// @inheritdoc ISettlement
    function setTreasury(address treasury_) external onlyOwner {
        _setTreasury(treasury_);
    }

    /// @inheritdoc ISettlement
    function setGuardian(address guardian_) external onlyOwner {
        _setGuardian(guardian_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISettlement
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @inheritdoc ISettlement
    function deposited(address payer) external view returns (uint256) {
        return _payers[payer].deposited;
    }

    /// @inheritdoc ISettlement
    function withdrawn(address payer) external view returns (uint256) {
        return _payers[payer].withdrawn;
    }

    /// @inheritdoc ISettlement
    function withdrawalRequestedAt(address payer) external view returns (uint64) {
        return _withdrawalRequestedAt[payer];
    }

    /// @inheritdoc ISettlement
    function claimed(address account) external view returns (uint256) {
        return _claimed[account];
    }

    /// @inheritdoc ISettlement
    function totalDeposited() external view returns (uint256) {
        return _totalDeposited;
    }

    /// @inheritdoc ISettlement
    function totalWithdrawn() external view returns (uint256) {
        return _totalWithdrawn;
    }

    /// @inheritdoc ISettlement
    function finalizedEpoch() external view returns (EpochRecord memory) {
        return _toEpochRecord(_finalized);
    }

    /// @inheritdoc ISettlement
    function pendingEpoch() external view returns (EpochRecord memory record) {
        if (_pending.epoch != 0) record = _toEpochRecord(_pending);
    }

    /// @inheritdoc ISettlement
    function nextEpoch() external view returns (uint64) {
        uint64 pending = _pending.epoch;
        return (pending != 0 ? pending : _finalized.epoch) + 1;
    }

    /// @inheritdoc ISettlement
    function hashEpochReport(EpochReport calldata report) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(report));
    }

    /// @inheritdoc ISettlement
    function isVetoed(bytes32 digest) external view returns (bool) {
        return _vetoed[digest];
    }

    /// @inheritdoc ISettlement
    function isAttestor(address account) external view returns (bool) {
        return _attestors.contains(account);
    }

    /// @inheritdoc ISettlement
    function attestors() external view returns (address[] memory) {
        return _attestors.values();
    }

    /// @inheritdoc ISettlement
    function quorum() external view returns (uint256) {
        return _quorum;
    }

    /// @inheritdoc ISettlement
    function challengeWindow() external view returns (uint64) {
        return _challengeWindow;
    }

    /// @inheritdoc ISettlement
    function withdrawalDelay() external view returns (uint64) {
        return _withdrawalDelay;
    }

    /// @inheritdoc ISettlement
    function protocolFeeBps() external view returns (uint16) {
        return _protocolFeeBps;
    }

    /// @inheritdoc ISettlement
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc ISettlement
    function guardian() external view returns (address) {
        return _guardian;
    }

    // ---------------------------------------------------------------- private

    function _deposit(address payer, uint256 amount) private {
        if (amount == 0) revert SettlementZeroAmount();
        uint128 amount128 = amount.toUint128();
        _payers[payer].deposited += amount128;
        _totalDeposited += amount128;
        emit Deposited(payer, msg.sender, amount);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Checks a withdrawal by `payer` proving `cumulativeCharged` and returns the epoch proven
    /// against and the amount owed: the payer's credit minus its proven charges.
    function _checkWithdrawal(address payer, uint256 cumulativeCharged, bytes32[] calldata proof)
        private
        view
        returns (uint64 epoch, uint256 amount)
    {
        uint64 requestedAt = _withdrawalRequestedAt[payer];
        if (requestedAt == 0) revert SettlementWithdrawalNotRequested(payer);
        uint64 availableAt = requestedAt + _withdrawalDelay;
        if (block.timestamp < availableAt) revert SettlementWithdrawalDelayNotElapsed(payer, availableAt);

        Record storage fin = _finalized;
        epoch = fin.epoch;
        if (epoch == 0) revert SettlementNoFinalizedEpoch();
        // Strictly after: a report submitted in the request's own block may have been cut before it.
        uint64 submittedAt = fin.submittedAt;
        if (submittedAt <= requestedAt) revert SettlementNoReportSinceRequest(payer, requestedAt, submittedAt);
        if (!MerkleProof.verifyCalldata(proof, fin.chargesRoot, MerkleLeaves.cumulative(payer, cumulativeCharged))) {
            revert SettlementInvalidProof(payer, cumulativeCharged);
        }

        Payer storage p = _payers[payer];
        uint256 credit = p.deposited - p.withdrawn;
        if (cumulativeCharged >= credit) revert SettlementNothingToWithdraw(payer, credit, cumulativeCharged);
        unchecked {
            amount = credit - cumulativeCharged; // cumulativeCharged < credit, checked above
        }
    }

    /// @dev Checks `(account, cumulativeAmount)` against `root`, records the claim and returns what is
    /// owed. The caller transfers it.
    function _claim(bytes32 root, address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        private
        returns (uint256 amount)
    {
        if (root == 0) revert SettlementNoFinalizedEpoch();
        if (!MerkleProof.verifyCalldata(proof, root, MerkleLeaves.cumulative(account, cumulativeAmount))) {
            revert SettlementInvalidProof(account, cumulativeAmount);
        }
        uint256 already = _claimed[account];
        if (cumulativeAmount <= already) revert SettlementNothingToClaim(account, cumulativeAmount, already);
        unchecked {
            amount = cumulativeAmount - already; // cumulativeAmount > already, checked above
        }
        _claimed[account] = cumulativeAmount;
        emit Claimed(account, amount, cumulativeAmount);
    }

    function _structHash(EpochReport calldata r) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                EPOCH_REPORT_TYPEHASH,
                r.epoch,
                r.chargesRoot,
                r.rewardsRoot,
                r.cumulativeCharged,
                r.cumulativeRewards,
                r.receiptsRoot,
                keccak256(bytes(r.bundleURI))
            )
        );
    }

    /// @dev Every signature must be well formed and from a distinct current attestor; there must be at
    /// least `_quorum` of them. The distinctness check is quadratic in the (small) signature count.
    function _recoverSigners(bytes32 digest, bytes[] calldata signatures)
        private
        view
        returns (address[] memory signers)
    {
        uint256 n = signatures.length;
        uint256 needed = _quorum;
        if (n < needed) revert SettlementQuorumNotReached(n, needed);
        signers = new address[](n);
        for (uint256 i; i < n; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert SettlementInvalidSignature(i);
            if (!_attestors.contains(signer)) revert SettlementSignerNotAttestor(signer);
            for (uint256 j; j < i; ++j) {
                if (signers[j] == signer) revert SettlementDuplicateSigner(signer);
            }
            signers[i] = signer;
        }
    }

    function _checkTotals(uint256 charged, uint256 rewards, uint256 previousCharged, uint256 previousRewards)
        private
        view
    {
        if (charged < previousCharged) revert SettlementChargesDecreased(charged, previousCharged);
        if (rewards < previousRewards) revert SettlementRewardsDecreased(rewards, previousRewards);
        if (rewards > charged) revert SettlementRewardsExceedCharges(rewards, charged);
        uint256 backing = uint256(_totalDeposited) - _totalWithdrawn;
        if (charged > backing) revert SettlementChargesExceedBacking(charged, backing);
    }

    function _emitSubmitted(
        EpochReport calldata report,
        bytes32 digest,
        address[] memory signers,
        uint64 challengeEndsAt
    ) private {
        emit EpochSubmitted(
            report.epoch,
            digest,
            report.chargesRoot,
            report.rewardsRoot,
            report.cumulativeCharged,
            report.cumulativeRewards,
            report.receiptsRoot,
            report.bundleURI,
            signers,
            challengeEndsAt
        );
    }

    function _toEpochRecord(Record storage r) private view returns (EpochRecord memory) {
        return EpochRecord({
            epoch: r.epoch,
            submittedAt: r.submittedAt,
            challengeEndsAt: r.challengeEndsAt,
            finalizedAt: r.finalizedAt,
            chargesRoot: r.chargesRoot,
            rewardsRoot: r.rewardsRoot,
            cumulativeCharged: r.cumulativeCharged,
            cumulativeRewards: r.cumulativeRewards,
            digest: r.digest
        });
    }

    function _addAttestor(address attestor) private {
        if (attestor == address(0)) revert SettlementZeroAddress("attestor");
        if (!_attestors.add(attestor)) revert SettlementAttestorExists(attestor);
        emit AttestorAdded(attestor);
    }

    function _setQuorum(uint256 quorum_) private {
        uint256 count = _attestors.length();
        if (quorum_ == 0 || quorum_ > count) revert SettlementInvalidQuorum(quorum_, count);
        uint256 previous = _quorum;
        _quorum = quorum_;
        emit QuorumUpdated(previous, quorum_);
    }

    function _setChallengeWindow(uint64 window) private {
        if (window > MAX_DURATION) revert SettlementDurationTooLong(window, MAX_DURATION);
        uint64 previous = _challengeWindow;
        _challengeWindow = window;
        emit ChallengeWindowUpdated(previous, window);
    }

    function _setWithdrawalDelay(uint64 delay) private {
        if (delay > MAX_DURATION) revert SettlementDurationTooLong(delay, MAX_DURATION);
        uint64 previous = _withdrawalDelay;
        _withdrawalDelay = delay;
        emit WithdrawalDelayUpdated(previous, delay);
    }

    function _setProtocolFeeBps(uint16 bps) private {
        if (bps > MAX_PROTOCOL_FEE_BPS) revert SettlementProtocolFeeTooHigh(bps, MAX_PROTOCOL_FEE_BPS);
        uint16 previous = _protocolFeeBps;
        _protocolFeeBps = bps;
        emit ProtocolFeeUpdated(previous, bps);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert SettlementZeroAddress("treasury");
        address previous = _treasury;
        _treasury = treasury_;
        emit TreasuryUpdated(previous, treasury_);
    }

    function _setGuardian(address guardian_) private {
        if (guardian_ == address(0)) revert SettlementZeroAddress("guardian");
        address previous = _guardian;
        _guardian = guardian_;
        emit GuardianUpdated(previous, guardian_);
    }
}
