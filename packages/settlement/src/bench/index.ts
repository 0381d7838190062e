/** Runs every settlement benchmark; each prints one JSON line via reportBench(). */
import { benchChannelMessages } from './channel-messages.js'
import { benchVouchers } from './vouchers.js'

await benchVouchers()
await benchChannelMessages()
