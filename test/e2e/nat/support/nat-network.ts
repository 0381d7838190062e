/**
 * A NATed test network from Linux network namespaces, veth pairs and
 * nftables masquerade (root only). Every address is in the benchmarking
 * range 198.18.0.0/15 and lives inside namespaces made here; none is routed
 * to the host's interfaces.
 *
 *   pub (198.18.0.1) ── wan ── router (198.18.0.2 | 198.18.1.1) ── lan ── home (198.18.1.2)
 *
 * `pub` holds the public nodes (relay, client). `router` masquerades what
 * `home` sends out of its wan side and forwards nothing unsolicited inwards,
 * as a home router does; `pub` has no route to 198.18.1.0/24 at all.
 */
import { execFileSync } from 'node:child_process'

/** Prefix of every namespace this test makes: stale ones from a crashed run are removed by it. */
export const NS_PREFIX = 'cocoon-nat-'

/** The addresses of the topology. */
export const PUB_IP = '198.18.0.1'
export const ROUTER_WAN_IP = '198.18.0.2'
export const HOME_IP = '198.18.1.2'
/** The range the nodes count as public (`COCOON_PUBLIC_RANGES`): the wan side only, not the home LAN. */
export const PUBLIC_RANGE = '198.18.0.0/24'

export interface NatNetwork {
  /** Namespace names. */
  pub: string
  router: string
  home: string
  /** `ip netns exec <ns>`: the prefix that runs a command inside `ns`. */
  exec(ns: string): string[]
  /** Deletes the namespaces (and with them the veths and rules). */
  destroy(): void
}

/** Why the NAT tests cannot run here, or `undefined` when they can. */
export function natUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); CI runs as root'
  for (const tool of ['ip', 'nft']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' })
    } catch {
      return `needs \`${tool}\` (apt-get install -y ${tool === 'ip' ? 'iproute2' : 'nftables'})`
    }
  }
  return undefined
}

function run(args: string[], input?: string): void {
  execFileSync(args[0] as string, args.slice(1), {
    stdio: ['pipe', 'ignore', 'pipe'],
    ...(input === undefined ? {} : { input }),
  })
}

/** Removes every namespace carrying {@link NS_PREFIX} (left by an earlier run that crashed). */
export function removeStaleNamespaces(): void {
  const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(NS_PREFIX))
  for (const name of names) run(['ip', 'netns', 'delete', name])
}

/** The router's rules: masquerade out of the wan side; forward only the home's own flows and their replies. */
const ROUTER_RULES = `
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan1" masquerade
  }
}
table ip filter {
  chain forwarding {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "wan1" accept
  }
}
`

/** Builds the topology; on any failure what was built is removed again before the error is thrown. */
export function createNatNetwork(): NatNetwork {
  const suffix = `${process.pid}`
  const pub = `${NS_PREFIX}pub-${suffix}`
  const router = `${NS_PREFIX}router-${suffix}`
  const home = `${NS_PREFIX}home-${suffix}`
  const created: string[] = []
  const destroy = (): void => {
    for (const ns of created.splice(0)) run(['ip', 'netns', 'delete', ns])
  }
  const inNs = (ns: string, ...args: string[]): void => run(['ip', '-n', ns, ...args])
  try {
    for (const ns of [pub, router, home]) {
      run(['ip', 'netns', 'add', ns])
      created.push(ns)
      inNs(ns, 'link', 'set', 'lo', 'up')
    }
    // veths are made inside the namespaces, so their names never meet the host's
    inNs(pub, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'wan1', 'netns', router)
    inNs(router, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan1', 'netns', home)
    const up = (ns: string, dev: string, cidr: string): void => {
      inNs(ns, 'addr', 'add', cidr, 'dev', dev)
      inNs(ns, 'link', 'set', dev, 'up')
    }
    up(pub, 'wan0', `${PUB_IP}/24`)
    up(router, 'wan1', `${ROUTER_WAN_IP}/24`)
    up(router, 'lan0', '198.18.1.1/24')
    up(home, 'lan1', `${HOME_IP}/24`)
    inNs(home, 'route', 'add', 'default', 'via', '198.18.1.1')
    run(['ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    run(['ip', 'netns', 'exec', router, 'nft', '-f', '-'], ROUTER_RULES)
  } catch (error) {
    destroy()
    throw error
  }
  return { pub, router, home, exec: (ns) => ['ip', 'netns', 'exec', ns], destroy }
}
