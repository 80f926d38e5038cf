// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ISettlement
/// @notice The only Tributary contract that holds value. Payers deposit tokens; attestors sign
/// cumulative epoch reports (a charges tree: what each payer has spent in total; a rewards tree:
/// what each account has earned in total); a report waits out a challenge window during which the
/// guardian may veto it, then anyone finalizes it; accounts claim their rewards and payers withdraw
/// their unspent credit against the latest finalized trees.
/// @dev Both trees use the OpenZeppelin StandardMerkleTree leaf of `(address, uint256)`:
/// `keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))))`.
///
/// State machine of reports: at most one report is pending at a time. With none pending, the next
/// report must carry `finalized epoch + 1` (epochs start at 1). A pending report is either vetoed
/// by the guardian before its challenge window ends (the same epoch number can then be submitted
/// again, with a different report) or finalized by anyone once the window has ended.
///
/// Invariants (see docs/contracts-settlement.md for the proofs):
/// cumulativeRewards <= cumulativeCharged <= totalDeposited - totalWithdrawn for every accepted
/// report, so every claim is backed; an account is never paid more than its cumulative amount;
/// a payer never withdraws funds its latest finalized charges cover.
interface ISettlement {
    // ---------------------------------------------------------------- types

    /// @notice An epoch report as attestors sign it (EIP-712 type `EpochReport`).
    /// @param epoch Sequence number of the report, starting at 1.
    /// @param chargesRoot Root of the cumulative charges tree, leaves `(payer, cumulativeCharged)`.
    /// @param rewardsRoot Root of the cumulative rewards tree, leaves `(account, cumulativeAmount)`.
    /// @param cumulativeCharged Sum of all charges ever made, over all payers.
    /// @param cumulativeRewards Sum of all rewards ever earned, over all accounts.
    /// @param receiptsRoot Root of the epoch's receipts, for verifiers; not used on chain.
    /// @param bundleURI Where the epoch bundle (receipts, outputs, trees) can be downloaded.
    struct EpochReport {
        uint64 epoch;
        bytes32 chargesRoot;
        bytes32 rewardsRoot;
        uint256 cumulativeCharged;
        uint256 cumulativeRewards;
        bytes32 receiptsRoot;
        string bundleURI;
    }

    /// @notice What the contract keeps of a report (pending or finalized).
    /// @param epoch Epoch number; 0 when there is no such report.
    /// @param submittedAt Timestamp of the submission.
    /// @param challengeEndsAt First timestamp at which the report can be finalized.
    /// @param finalizedAt Timestamp of the finalization; 0 while pending.
    /// @param digest EIP-712 digest the attestors signed.
    struct EpochRecord {
        uint64 epoch;
        uint64 submittedAt;
        uint64 challengeEndsAt;
        uint64 finalizedAt;
        bytes32 chargesRoot;
        bytes32 rewardsRoot;
        uint256 cumulativeCharged;
        uint256 cumulativeRewards;
        bytes32 digest;
    }

    /// @notice One claim of a batch given to {claimMany}.
    struct ClaimRequest {
        address account;
        uint256 cumulativeAmount;
        bytes32[] proof;
    }

    // ---------------------------------------------------------------- events

    /// @notice `from` deposited `amount` tokens to the credit of `payer`.
    event Deposited(address indexed payer, address indexed from, uint256 amount);

    /// @notice `payer` asked to withdraw its unspent credit; it can from `availableAt`, against a
    /// report submitted after `requestedAt` and finalized.
    event WithdrawalRequested(address indexed payer, uint64 requestedAt, uint64 availableAt);

    /// @notice `payer` cancelled its pending withdrawal request (the gateway may serve it again).
    event WithdrawalCancelled(address indexed payer);

    /// @notice `payer` withdrew `amount`, proving `cumulativeCharged` against the charges root of `epoch`.
    event Withdrawn(address indexed payer, uint64 indexed epoch, uint256 amount, uint256 cumulativeCharged);

    /// @notice A report was accepted for `epoch` and its challenge window started.
    event EpochSubmitted(
        uint64 indexed epoch,
        bytes32 indexed digest,
        bytes32 chargesRoot,
        bytes32 rewardsRoot,
        uint256 cumulativeCharged,
        uint256 cumulativeRewards,
        bytes32 receiptsRoot,
        string bundleURI,
        address[] signers,
        uint64 challengeEndsAt
    );

    /// @notice The guardian vetoed the pending report of `epoch`; the epoch number is free again and
    /// this exact report (its `digest`) can never be submitted again.
    event EpochVetoed(uint64 indexed epoch, bytes32 indexed digest, address indexed guardian, string reason);

    /// @notice The report of `epoch` became the one claims and withdrawals are proven against.
    event EpochFinalized(
        uint64 indexed epoch,
        bytes32 indexed digest,
        bytes32 chargesRoot,
        bytes32 rewardsRoot,
        uint256 cumulativeCharged,
        uint256 cumulativeRewards
    );

    /// @notice `account` was paid `amount`, raising its claimed total to `cumulativeAmount`.
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount);

    /// @notice `attestor` may now sign epoch reports.
    event AttestorAdded(address indexed attestor);

    /// @notice `attestor` may no longer sign epoch reports.
    event AttestorRemoved(address indexed attestor);

    /// @notice The number of distinct attestor signatures a report needs changed.
    event QuorumUpdated(uint256 previousQuorum, uint256 quorum);

    /// @notice The time a report waits before it can be finalized changed.
    event ChallengeWindowUpdated(uint64 previousWindow, uint64 window);

    /// @notice The time between a withdrawal request and the earliest withdrawal changed.
    event WithdrawalDelayUpdated(uint64 previousDelay, uint64 delay);

    /// @notice The protocol share of every fee changed (applied by attestors in the rewards tree).
    event ProtocolFeeUpdated(uint16 previousBps, uint16 bps);

    /// @notice The account that receives the protocol fee changed.
    event TreasuryUpdated(address indexed previousTreasury, address indexed treasury);

    /// @notice The account that may veto reports changed.
    event GuardianUpdated(address indexed previousGuardian, address indexed guardian);

    // ---------------------------------------------------------------- errors

    /// @notice An amount of zero was given where a positive amount is required.
    error SettlementZeroAmount();

    /// @notice The zero address was given for `what` ("token", "payer", "treasury", "guardian", "attestor").
    error SettlementZeroAddress(string what);

    /// @notice A report was submitted while the report of `pendingEpoch` is still pending.
    error SettlementEpochPending(uint64 pendingEpoch);

    /// @notice A report carried `epoch`, but the next accepted epoch is `expected`.
    error SettlementUnexpectedEpoch(uint64 epoch, uint64 expected);

    /// @notice The report with this `digest` was vetoed and can never be submitted again.
    error SettlementReportVetoed(bytes32 digest);

    /// @notice Signature number `index` is malformed (wrong length or non-canonical `s`).
    error SettlementInvalidSignature(uint256 index);

    /// @notice A signature recovers to `signer`, which is not a current attestor.
    error SettlementSignerNotAttestor(address signer);

    /// @notice `signer` signed the report more than once.
    error SettlementDuplicateSigner(address signer);

    /// @notice The report carries `signatures` valid signatures, fewer than the `quorum` needed.
    error SettlementQuorumNotReached(uint256 signatures, uint256 quorum);

    /// @notice The report's cumulative charges `cumulativeCharged` are below the last finalized `previous`.
    error SettlementChargesDecreased(uint256 cumulativeCharged, uint256 previous);

    /// @notice The report's cumulative rewards `cumulativeRewards` are below the last finalized `previous`.
    error SettlementRewardsDecreased(uint256 cumulativeRewards, uint256 previous);

    /// @notice The report pays out `cumulativeRewards`, more than the `cumulativeCharged` it collected.
    error SettlementRewardsExceedCharges(uint256 cumulativeRewards, uint256 cumulativeCharged);

    /// @notice The report charges `cumulativeCharged`, more than the `backing` (deposits minus
    /// withdrawals) the contract holds for payers.
    error SettlementChargesExceedBacking(uint256 cumulativeCharged, uint256 backing);

    /// @notice There is no pending report of `epoch` (none pending, or another epoch is).
    error SettlementEpochNotPending(uint64 epoch);

    /// @notice The challenge window of `epoch` is still open until `challengeEndsAt`.
    error SettlementChallengeWindowOpen(uint64 epoch, uint64 challengeEndsAt);

    /// @notice The challenge window of `epoch` closed at `challengeEndsAt`; it can no longer be vetoed.
    error SettlementChallengeWindowClosed(uint64 epoch, uint64 challengeEndsAt);

    /// @notice `caller` is not the guardian.
    error SettlementNotGuardian(address caller);

    /// @notice No report has been finalized yet, so there is nothing to prove against.
    error SettlementNoFinalizedEpoch();

    /// @notice The proof does not place `(account, cumulativeAmount)` in the latest finalized tree.
    error SettlementInvalidProof(address account, uint256 cumulativeAmount);

    /// @notice `account` has already claimed `claimed`, at least its `cumulativeAmount`.
    error SettlementNothingToClaim(address account, uint256 cumulativeAmount, uint256 claimed);

    /// @notice `payer` has no pending withdrawal request.
    error SettlementWithdrawalNotRequested(address payer);

    /// @notice `payer` already requested a withdrawal at `requestedAt`.
    error SettlementWithdrawalAlreadyRequested(address payer, uint64 requestedAt);

    /// @notice `payer` can withdraw from `availableAt` only.
    error SettlementWithdrawalDelayNotElapsed(address payer, uint64 availableAt);

    /// @notice The latest finalized report was submitted at `reportSubmittedAt`, not after the
    /// request of `payer` at `requestedAt`; wait for a newer report to be finalized.
    error SettlementNoReportSinceRequest(address payer, uint64 requestedAt, uint64 reportSubmittedAt);

    /// @notice `payer`'s proven `cumulativeCharged` covers all of its `credit` (deposits minus withdrawals).
    error SettlementNothingToWithdraw(address payer, uint256 credit, uint256 cumulativeCharged);

    /// @notice Paying `amount` would leave less than the latest report's `cumulativeCharged` in the
    /// contract (`backing` after the withdrawal); the pending report over-charges and should be vetoed.
    error SettlementWithdrawalUnbacked(address payer, uint256 amount, uint256 cumulativeCharged, uint256 backing);

    /// @notice The quorum `quorum` is not between 1 and the `attestorCount`.
    error SettlementInvalidQuorum(uint256 quorum, uint256 attestorCount);

    /// @notice `attestor` is already an attestor.
    error SettlementAttestorExists(address attestor);

    /// @notice `attestor` is not an attestor.
    error SettlementAttestorNotFound(address attestor);

    /// @notice The protocol fee `bps` exceeds `maxBps`.
    error SettlementProtocolFeeTooHigh(uint16 bps, uint16 maxBps);

    /// @notice The duration `duration` (challenge window or withdrawal delay) exceeds `maxDuration`.
    error SettlementDurationTooLong(uint64 duration, uint64 maxDuration);

    // ---------------------------------------------------------------- payers

    /// @notice Deposits `amount` tokens from the caller to the caller's credit. Needs an allowance.
    /// @dev Tokens that take a fee on transfer are not supported.
    function deposit(uint256 amount) external;

    /// @notice Deposits `amount` tokens from the caller to the credit of `payer`. Needs an allowance.
    function depositFor(address payer, uint256 amount) external;

    /// @notice Starts the caller's withdrawal: the gateway stops serving the caller, and after
    /// {withdrawalDelay}, once a report submitted after now is finalized, {withdraw} pays out the
    /// unspent credit.
    function requestWithdrawal() external;

    /// @notice Cancels the caller's pending withdrawal request, so the gateway may serve it again.
    function cancelWithdrawal() external;

    /// @notice Pays the caller `deposited - withdrawn - cumulativeCharged`, proving `cumulativeCharged`
    /// against the charges root of the latest finalized report, which must have been submitted after
    /// the caller's request; clears the request. To use the service again, deposit (if needed) and go on;
    /// to withdraw again, request again.
    /// @param cumulativeCharged The caller's leaf amount in the latest finalized charges tree. The charges
    /// tree holds a leaf for every payer that ever deposited, with amount 0 when it was never charged.
    /// @param proof Merkle proof of `(caller, cumulativeCharged)` in the charges tree.
    function withdraw(uint256 cumulativeCharged, bytes32[] calldata proof) external;

    // ---------------------------------------------------------------- epochs

    /// @notice Accepts an attestor-signed report and starts its challenge window. Anyone may relay it.
    /// @param report The report, as signed.
    /// @param signatures 65-byte ECDSA signatures of distinct current attestors over the report's
    /// EIP-712 digest, in any order; at least {quorum} of them.
    function submitEpoch(EpochReport calldata report, bytes[] calldata signatures) external;

    /// @notice Discards the pending report of `epoch` during its challenge window. Guardian only.
    function vetoEpoch(uint64 epoch, string calldata reason) external;

    /// @notice Makes the pending report of `epoch` the one claims and withdrawals are proven against,
    /// once its challenge window has ended. Anyone may call it.
    function finalizeEpoch(uint64 epoch) external;

    // ---------------------------------------------------------------- claims

    /// @notice Pays `account` its `cumulativeAmount` minus what it already claimed, proving
    /// `(account, cumulativeAmount)` against the latest finalized rewards root. Anyone may call it;
    /// the funds only ever go to `account`.
    /// @return amount What was paid.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        returns (uint256 amount);

    /// @notice {claim} for each request, all or nothing.
    /// @return total The sum paid.
    function claimMany(ClaimRequest[] calldata claims) external returns (uint256 total);

    // ---------------------------------------------------------------- owner

    /// @notice Lets `attestor` sign reports. Owner only.
    function addAttestor(address attestor) external;

    /// @notice Stops `attestor` from signing reports; the quorum must stay reachable. Owner only.
    function removeAttestor(address attestor) external;

    /// @notice Sets how many distinct attestor signatures a report needs (1..attestorCount). Owner only.
    function setQuorum(uint256 quorum) external;

    /// @notice Sets the challenge window of reports submitted from now on. Owner only.
    function setChallengeWindow(uint64 window) external;

    /// @notice Sets the delay between a withdrawal request and the withdrawal. Owner only.
    function setWithdrawalDelay(uint64 delay) external;

    /// @notice Sets the protocol share of fees in basis points (at most {MAX_PROTOCOL_FEE_BPS}). Owner only.
    function setProtocolFeeBps(uint16 bps) external;

    /// @notice Sets the account that receives the protocol fee. Owner only.
    function setTreasury(address treasury) external;

    /// @notice Sets the account that may veto reports. Owner only.
    function setGuardian(address guardian) external;

    // ---------------------------------------------------------------- views

    /// @notice Highest protocol fee the owner can set, in basis points.
    function MAX_PROTOCOL_FEE_BPS() external view returns (uint16);

    /// @notice Longest challenge window or withdrawal delay the owner can set, in seconds.
    function MAX_DURATION() external view returns (uint64);

    /// @notice The EIP-712 type hash of `EpochReport`.
    function EPOCH_REPORT_TYPEHASH() external view returns (bytes32);

    /// @notice The token deposits, claims and withdrawals are made in.
    function token() external view returns (IERC20);

    /// @notice All tokens ever deposited to the credit of `payer`.
    function deposited(address payer) external view returns (uint256);

    /// @notice All tokens ever withdrawn by `payer`.
    function withdrawn(address payer) external view returns (uint256);

    /// @notice When `payer` requested the withdrawal it has pending, 0 when none. The gateway must not
    /// serve a payer with a pending request.
    function withdrawalRequestedAt(address payer) external view returns (uint64);

    /// @notice All tokens ever paid to `account` by claims.
    function claimed(address account) external view returns (uint256);

    /// @notice All tokens ever deposited.
    function totalDeposited() external view returns (uint256);

    /// @notice All tokens ever withdrawn by payers.
    function totalWithdrawn() external view returns (uint256);

    /// @notice The latest finalized report; `epoch` is 0 before the first finalization.
    function finalizedEpoch() external view returns (EpochRecord memory);

    /// @notice The pending report; `epoch` is 0 when none is pending.
    function pendingEpoch() external view returns (EpochRecord memory);

    /// @notice The epoch number the next submitted report must carry (accepted only when none is pending).
    function nextEpoch() external view returns (uint64);

    /// @notice The EIP-712 digest attestors sign for `report` on this contract and chain.
    function hashEpochReport(EpochReport calldata report) external view returns (bytes32);

    /// @notice Whether the report with `digest` was vetoed.
    function isVetoed(bytes32 digest) external view returns (bool);

    /// @notice Whether `account` is a current attestor.
    function isAttestor(address account) external view returns (bool);

    /// @notice The current attestors.
    function attestors() external view returns (address[] memory);

    /// @notice Number of distinct attestor signatures a report needs.
    function quorum() external view returns (uint256);

    /// @notice Seconds a report waits before it can be finalized.
    function challengeWindow() external view returns (uint64);

    /// @notice Seconds between a withdrawal request and the earliest withdrawal.
    function withdrawalDelay() external view returns (uint64);

    /// @notice Protocol share of every fee, in basis points; attestors credit it to {treasury} in the rewards tree.
    function protocolFeeBps() external view returns (uint16);

    /// @notice The account that receives the protocol fee.
    function treasury() external view returns (address);

    /// @notice The account that may veto reports.
    function guardian() external view returns (address);
}
