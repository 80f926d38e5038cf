import {
  type Abi,
  type Address,
  type ContractEventName,
  isAddressEqual,
  type ParseEventLogsReturnType,
  parseEventLogs,
  type TransactionReceipt,
} from "viem";
import { TributaryError } from "../../../errors/TributaryError.ts";

/**
 * Arguments of every `eventName` event that `address` emitted in `receipt`, decoded with `abi`. Logs of other
 * contracts are ignored even when they share the event signature. Shared by the registry actions (datanets, models,
 * agents) to return the ids a write created.
 *
 * @example
 * const [created] = eventArgs(receipt, datanetRegistryAbi, addresses.datanetRegistry, "DatanetCreated");
 */
export function eventArgs<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: TransactionReceipt,
  abi: abi,
  address: Address,
  eventName: eventName,
): ParseEventLogsReturnType<abi, eventName, true>[number]["args"][] {
  const logs = receipt.logs.filter((log) => isAddressEqual(log.address, address));
  const parsed = parseEventLogs({ abi, logs, eventName, strict: true }) as ParseEventLogsReturnType<
    abi,
    eventName,
    true
  >;
  return parsed.map((log) => log.args);
}

/**
 * The arguments of the first `eventName` event of `address` in `receipt`; throws `EVENT_NOT_FOUND` when there is
 * none (the transaction succeeded but did not do what the action expects, e.g. a wrong contract address).
 */
export function firstEventArgs<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: TransactionReceipt,
  abi: abi,
  address: Address,
  eventName: eventName,
): ParseEventLogsReturnType<abi, eventName, true>[number]["args"] {
  const [first] = eventArgs(receipt, abi, address, eventName);
  if (first === undefined) {
    throw new TributaryError(
      `no ${eventName} event from ${address} in transaction ${receipt.transactionHash}`,
      {
        code: "EVENT_NOT_FOUND",
        hint: "Check that the client's contract addresses match the deployment the transaction went to.",
      },
    );
  }
  return first;
}
