/**
 * A peer host: a child process of the cross-check that runs its share of
 * the real peers over TCP and answers the coordinator's requests over IPC
 * (`host-protocol.ts`). It exits when told to stop or when the coordinator
 * goes away.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import type { HostMessage, HostResponse, HostResult } from './host-protocol.js'
import { LocalGroup } from './peer-group.js'

const group = new LocalGroup({ kind: 'tcp' })

async function handle(msg: HostMessage): Promise<HostResult> {
  switch (msg.op) {
    case 'start':
      return { op: 'start', ...(await group.start(msg.indices, msg.heartbeatMs)) }
    case 'dial':
      return { op: 'dial', ...(await group.dial(msg.edges)) }
    case 'subscribed':
      return { op: 'subscribed', ...(await group.subscribed()) }
    case 'begin':
      await group.begin()
      return { op: 'begin' }
    case 'publish':
      return { op: 'publish', ...(await group.publish(msg.m)) }
    case 'collect':
      return { op: 'collect', ...(await group.collect(msg.sequence)) }
    case 'lookup':
      return { op: 'lookup', ...(await group.lookup(msg.index, msg.key)) }
    case 'stop':
      await group.stop()
      return { op: 'stop' }
  }
}

function reply(response: HostResponse): void {
  process.send?.(response)
}

process.on('message', (msg: HostMessage) => {
  handle(msg).then(
    (result) => {
      reply({ id: msg.id, ok: true, result })
      if (msg.op === 'stop') process.disconnect()
    },
    (error: unknown) => reply({ id: msg.id, ok: false, error: errorMessage(error) }),
  )
})
// the coordinator is gone: nothing will stop these peers but this
process.on('disconnect', () => {
  void group.stop().finally(() => process.exit(0))
})
