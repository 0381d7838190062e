import { Address, fromNano, toNano } from '@ton/core'
import { InvalidSettlementInputError } from '../errors.js'

/** What {@link parseTon} throws. */
export type ParseTonErrorType = InvalidSettlementInputError

/**
 * Parses a TON amount ("1.5") into nanoTON with a typed error.
 * @throws {ParseTonErrorType} for a non-number or a non-positive amount.
 */
export function parseTon(value: string, what = 'amount'): bigint {
  let nano: bigint
  try {
    nano = toNano(value)
  } catch (cause) {
    throw new InvalidSettlementInputError(`invalid ${what}`, {
      details: `"${value}" is not a TON amount like 1.5`,
      cause,
    })
  }
  if (nano <= 0n)
    throw new InvalidSettlementInputError(`invalid ${what}`, { details: `${what} must be positive` })
  return nano
}

/** nanoTON as a TON string for humans. */
export function formatTon(nano: bigint): string {
  return `${fromNano(nano)} TON`
}

/** What {@link parseTonAddress} throws. */
export type ParseTonAddressErrorType = InvalidSettlementInputError

/**
 * Parses a TON address in any form, with a typed error.
 * @throws {ParseTonAddressErrorType}
 */
export function parseTonAddress(value: string, what = 'address'): Address {
  try {
    return Address.parse(value)
  } catch (cause) {
    throw new InvalidSettlementInputError(`invalid ${what}`, {
      details: `"${value}" is not a TON address`,
      cause,
    })
  }
}
