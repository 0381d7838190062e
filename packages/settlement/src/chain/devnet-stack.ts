import { Cell, type TupleItem } from '@ton/core'

/** A get-method stack item in toncenter v2 `runGetMethod` form, as TonClient parses it. */
export function toToncenterStackItem(item: TupleItem): unknown {
  switch (item.type) {
    case 'int':
      return ['num', hexNumber(item.value)]
    case 'null':
    case 'nan':
      return ['null']
    case 'cell':
      return ['cell', { bytes: item.cell.toBoc().toString('base64') }]
    case 'slice':
      return ['slice', { bytes: item.cell.toBoc().toString('base64') }]
    case 'builder':
      return ['builder', { bytes: item.cell.toBoc().toString('base64') }]
    case 'tuple':
      return ['tuple', { elements: item.items.map(toEntry) }]
  }
}

function toEntry(item: TupleItem): unknown {
  switch (item.type) {
    case 'int':
      return {
        '@type': 'tvm.stackEntryNumber',
        number: { '@type': 'tvm.numberDecimal', number: item.value.toString() },
      }
    case 'cell':
      return {
        '@type': 'tvm.stackEntryCell',
        cell: { '@type': 'tvm.cell', bytes: item.cell.toBoc().toString('base64') },
      }
    case 'slice':
    case 'builder':
      return {
        '@type': 'tvm.stackEntrySlice',
        slice: { '@type': 'tvm.slice', bytes: item.cell.toBoc().toString('base64') },
      }
    case 'tuple':
      return {
        '@type': 'tvm.stackEntryTuple',
        tuple: { '@type': 'tvm.tuple', elements: item.items.map(toEntry) },
      }
    default:
      return { '@type': 'tvm.stackEntryTuple', tuple: { '@type': 'tvm.tuple', elements: [] } }
  }
}

/** Parses the request stack TonClient sends (`["num", "123"]`, `["tvm.Cell", base64]`...). */
export function fromToncenterStack(stack: unknown): TupleItem[] {
  if (!Array.isArray(stack)) return []
  return stack.map((entry): TupleItem => {
    const [type, value] = entry as [string, string]
    if (type === 'num') return { type: 'int', value: BigInt(value) }
    if (type === 'tvm.Cell') return { type: 'cell', cell: Cell.fromBase64(value) }
    if (type === 'tvm.Slice') return { type: 'slice', cell: Cell.fromBase64(value) }
    return { type: 'null' }
  })
}

function hexNumber(n: bigint): string {
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`
}
