/**
 * A NATed test network from Linux network namespaces, veth pairs and
 * nftables masquerade (root only). Every address lives inside namespaces
 * made here; none is routed to the host's interfaces.
 *
 *   pub (<wan>.1) ── wan ── router i (<wan>.(2+i) | 192.168.(1+i).1) ── lan ── home i (192.168.(1+i).2)
 *
 * `pub` holds the public nodes (relay, devnet). Each router masquerades what
 * its home sends out of its wan side and forwards nothing unsolicited inwards,
 * as a home router does, except the ports a UPnP daemon on it maps; `pub` has
 * no route to any home LAN at all.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Prefix of every namespace this test makes: stale ones from a crashed run are removed by it. */
export const NS_PREFIX = 'cocoon-nat-'

/** The benchmarking range: public only to nodes told so by `COCOON_PUBLIC_RANGES`. */
export const BENCHMARK_WAN = '198.18.0'
/**
 * A WAN outside every reserved range, for a router that maps ports by UPnP:
 * miniupnpd refuses to map on a reserved WAN address ("port forwarding is
 * impossible"), and libp2p's UPnP client takes a private external address
 * for a double NAT. The address exists only inside these namespaces.
 */
export const ROUTABLE_WAN = '11.0.0'

export interface Home {
  /** The router's and the home host's namespaces. */
  router: string
  host: string
  /** The router's wan address (what peers see the home's connections come from) and the host's LAN address. */
  wanIp: string
  lanIp: string
}

export interface NatNetwork {
  pub: string
  pubIp: string
  homes: Home[]
  /** `ip netns exec <ns>`: the prefix that runs a command inside `ns`. */
  exec(ns: string): string[]
  /** Deletes the namespaces (and with them the veths and rules). */
  destroy(): void
}

/**
 * How a router maps its home's connections: `cone` keeps each source port
 * where it is free (Linux's masquerade), `symmetric` picks a random one for
 * every connection, so no address seen by one peer is any use to another.
 */
export type NatKind = 'cone' | 'symmetric'

export interface NatNetworkParameters {
  /** The /24 of the public side, as three octets. */
  wan: string
  /** One router per entry, each with one host behind it. */
  homes: readonly NatKind[]
}

/** Why the NAT tests cannot run here, or `undefined` when they can. */
export function natUnsupported(tools: readonly string[] = ['ip', 'nft']): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces); CI runs as root'
  const packages: Record<string, string> = {
    ip: 'iproute2',
    nft: 'nftables',
    miniupnpd: 'miniupnpd-nftables',
  }
  for (const tool of tools) {
    try {
      execFileSync(tool, [tool === 'miniupnpd' ? '--version' : '-V'], { stdio: 'ignore' })
    } catch {
      return `needs \`${tool}\` (apt-get install -y ${packages[tool] ?? tool})`
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

/**
 * A router's rules: masquerade out of the wan side; forward the home's own
 * flows, their replies, and whatever a UPnP daemon adds to the `miniupnpd`
 * chains (empty unless one runs).
 */
const ROUTER_RULES = `
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "wan1" accept
    jump miniupnpd
  }
  chain miniupnpd {}
}
table inet nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    jump postrouting_miniupnpd
    oifname "wan1" masquerade MASQUERADE_FLAGS
  }
  chain prerouting_miniupnpd {}
  chain postrouting_miniupnpd {}
}
`

/** Builds the topology; on any failure what was built is removed again before the error is thrown. */
export function createNatNetwork({ wan, homes: kinds }: NatNetworkParameters): NatNetwork {
  const pub = `${NS_PREFIX}pub-${process.pid}`
  const created: string[] = []
  const destroy = (): void => {
    for (const ns of created.splice(0)) run(['ip', 'netns', 'delete', ns])
  }
  const inNs = (ns: string, ...args: string[]): void => run(['ip', '-n', ns, ...args])
  const addNs = (ns: string): void => {
    run(['ip', 'netns', 'add', ns])
    created.push(ns)
    inNs(ns, 'link', 'set', 'lo', 'up')
  }
  const up = (ns: string, dev: string, cidr: string): void => {
    inNs(ns, 'addr', 'add', cidr, 'dev', dev)
    inNs(ns, 'link', 'set', dev, 'up')
  }
  const homes: Home[] = []
  try {
    addNs(pub)
    // the public side is one bridge, so every router's wan meets the others and pub
    inNs(pub, 'link', 'add', 'wan', 'type', 'bridge')
    up(pub, 'wan', `${wan}.1/24`)
    kinds.forEach((kind, i) => {
      homes.push(addHome(i, kind))
    })
  } catch (error) {
    destroy()
    throw error
  }
  return { pub, pubIp: `${wan}.1`, homes, exec: (ns) => ['ip', 'netns', 'exec', ns], destroy }

  function addHome(i: number, kind: NatKind): Home {
    const home: Home = {
      router: `${NS_PREFIX}router${i}-${process.pid}`,
      host: `${NS_PREFIX}home${i}-${process.pid}`,
      wanIp: `${wan}.${2 + i}`,
      lanIp: `192.168.${1 + i}.2`,
    }
    addNs(home.router)
    addNs(home.host)
    // veths are made inside the namespaces, so their names never meet the host's
    inNs(pub, 'link', 'add', `wan${i}`, 'type', 'veth', 'peer', 'name', 'wan1', 'netns', home.router)
    inNs(pub, 'link', 'set', `wan${i}`, 'master', 'wan')
    inNs(pub, 'link', 'set', `wan${i}`, 'up')
    inNs(home.router, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan1', 'netns', home.host)
    up(home.router, 'wan1', `${home.wanIp}/24`)
    up(home.router, 'lan0', `192.168.${1 + i}.1/24`)
    up(home.host, 'lan1', `${home.lanIp}/24`)
    inNs(home.host, 'route', 'add', 'default', 'via', `192.168.${1 + i}.1`)
    run(['ip', 'netns', 'exec', home.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'])
    const rules = ROUTER_RULES.replace('MASQUERADE_FLAGS', kind === 'symmetric' ? 'fully-random' : '')
    run(['ip', 'netns', 'exec', home.router, 'nft', '-f', '-'], rules)
    return home
  }
}

/**
 * The config of a UPnP IGD and NAT-PMP daemon (miniupnpd) on `home`'s
 * router, written to `dir`, letting only its own LAN map ports to itself.
 * Returns the command that runs it in the foreground in the router's namespace.
 */
export function miniupnpdCommand(net: NatNetwork, home: Home, dir: string): string[] {
  const config = join(dir, 'miniupnpd.conf')
  const lan = home.lanIp.replace(/\.2$/, '.0/24')
  writeFileSync(
    config,
    [
      'ext_ifname=wan1',
      'listening_ip=lan0',
      'port=0',
      'enable_upnp=yes',
      'enable_natpmp=yes',
      'secure_mode=yes',
      'system_uptime=yes',
      'upnp_table_name=filter',
      'upnp_nat_table_name=nat',
      'uuid=3d3cec3a-8cf0-11e0-98ee-001a6b000001',
      `allow 1024-65535 ${lan} 1024-65535`,
      'deny 0-65535 0.0.0.0/0 0-65535',
      '',
    ].join('\n'),
  )
  return [...net.exec(home.router), 'miniupnpd', '-d', '-f', config, '-P', join(dir, 'miniupnpd.pid')]
}
