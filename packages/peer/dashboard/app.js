// The node dashboard's page script: loads /api/state, then applies each state the
// server pushes on /api/events. Every value shown may come from a stranger (peer ids,
// model names, error causes), so text only ever goes in through textContent.
;(() => {
  const MAX_EVENTS = 100
  const NANO = 1_000_000_000n
  const $ = (id) => document.getElementById(id)

  /** An element with text (never parsed as HTML) and attributes. */
  function el(tag, text, attrs) {
    const node = document.createElement(tag)
    if (text !== undefined && text !== null) node.textContent = String(text)
    for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, String(v))
    return node
  }

  function row(cells, attrs) {
    const tr = el('tr', undefined, attrs)
    for (const c of cells) tr.append(c instanceof Node ? c : el('td', c))
    return tr
  }

  /** nanoTON (decimal string) as TON, exact. */
  function ton(nano) {
    if (nano === undefined || nano === null || nano === '') return ''
    const n = BigInt(nano)
    const frac = (n % NANO).toString().padStart(9, '0').replace(/0+$/, '')
    return `${n / NANO}${frac === '' ? '' : `.${frac}`} TON`
  }

  /** A cell showing nanoTON as TON, with the exact amount in data-nano for scripts. */
  function amount(nano, field) {
    return el('td', ton(nano), { class: 'num', 'data-field': field, 'data-nano': nano ?? '' })
  }

  function time(ms) {
    return ms === undefined ? '' : new Date(ms).toLocaleTimeString()
  }

  function empty(tbody, columns, text) {
    tbody.replaceChildren(row([el('td', text, { colspan: columns, class: 'muted' })]))
  }

  function renderHeader(s) {
    $('peer-id').textContent = s.peerId
    $('peer-count').textContent = String(s.peerCount)
    const load = Object.values(s.load)
    const running = load.reduce((n, l) => n + l.running, 0)
    const queued = load.reduce((n, l) => n + l.queued, 0)
    $('load').textContent = `${running} / ${queued}`
    const speeds = Object.entries(s.benchmarks).map(([m, t]) => `${m}: ${t.toFixed(1)}`)
    $('tokens-per-second').textContent = speeds.length === 0 ? '–' : speeds.join(', ')
    $('earned').textContent = s.earnings === undefined ? '–' : ton(s.earnings.earned)
    $('earned').dataset.nano = s.earnings?.earned ?? ''
    $('claimed-total').textContent =
      s.earnings === undefined
        ? (s.earningsError ?? '')
        : `claimed ${ton(s.earnings.claimed)}, unclaimed ${ton(s.earnings.unclaimed)}`
  }

  function renderStatus(s) {
    const rows = [
      ['Up since', new Date(s.startedAt).toLocaleString()],
      ['Payments', s.payments ?? 'not providing'],
      [
        'Attestation',
        s.attestation === undefined
          ? 'not providing'
          : `${s.attestation.on ? 'on' : 'off'}: ${s.attestation.detail}${s.attestation.selfCheck === undefined ? '' : ` (self-check: ${s.attestation.selfCheck})`}`,
      ],
      ...s.addresses.map((a) => ['Listening', a]),
    ]
    const trs = rows.map(([k, v]) => row([el('th', k), el('td', v, { class: 'mono' })]))
    for (const f of s.reachability)
      trs.push(
        row([
          el('th', 'Reachable'),
          el('td', `${f.check}: ${f.message}${f.fix === undefined ? '' : ` (fix: ${f.fix})`}`, {
            class: f.status,
            'data-field': 'reachability',
          }),
        ]),
      )
    $('status').replaceChildren(...trs)
  }

  function renderJobs(jobs) {
    const tbody = $('jobs')
    if (jobs.length === 0) return empty(tbody, 9, 'no jobs yet')
    // newest first
    const rows = [...jobs]
      .reverse()
      .map((j) =>
        row(
          [
            el('td', j.jobId, { class: 'mono' }),
            el('td', j.status, { class: `status-${j.status}`, 'data-field': 'status' }),
            el('td', j.model),
            el('td', j.client, { class: 'mono' }),
            el('td', j.tokens ?? '', { class: 'num', 'data-field': 'tokens' }),
            amount(j.cost, 'cost'),
            el('td', j.tokensPerSecond === undefined ? '' : j.tokensPerSecond.toFixed(1), { class: 'num' }),
            el('td', j.cause ?? '', { 'data-field': 'cause' }),
            el('td', time(j.endedAt)),
          ],
          { 'data-job-id': j.jobId, 'data-status': j.status },
        ),
      )
    tbody.replaceChildren(...rows)
  }

  function renderChannels(s) {
    const tbody = $('channels')
    const channels = s.earnings?.channels ?? []
    $('earnings-note').textContent = [s.earningsError ?? '', ...(s.earnings?.unread ?? [])].join(' ')
    if (channels.length === 0) return empty(tbody, 6, 'no channels')
    tbody.replaceChildren(
      ...channels.map((c) =>
        row(
          [
            el('td', c.channel, { class: 'mono' }),
            amount(c.vouchers, 'vouchers'),
            amount(c.claimed, 'claimed'),
            amount(c.claimable, 'claimable'),
            el('td', c.closed ? 'yes' : 'no'),
            el('td', c.chain ?? 'read'),
          ],
          { 'data-channel': c.channel },
        ),
      ),
    )
  }

  function renderClaims(claims) {
    const tbody = $('claims')
    if (claims.length === 0) return empty(tbody, 6, 'no claims yet')
    tbody.replaceChildren(
      ...[...claims]
        .reverse()
        .map((c) =>
          row(
            [
              el('td', time(c.at)),
              el('td', c.channel === '' ? '(whole pass)' : c.channel, { class: 'mono' }),
              el('td', c.ok ? 'claimed' : 'failed', { class: c.ok ? 'ok' : 'fail' }),
              amount(c.paid, 'paid'),
              amount(c.fee, 'fee'),
              el('td', c.error ?? c.reason ?? ''),
            ],
            { 'data-claim': c.ok ? 'ok' : 'failed' },
          ),
        ),
    )
  }

  function offerCells(o) {
    return [
      el('td', o.models.join(', ')),
      amount(o.perKPromptTokens, 'prompt'),
      amount(o.perKCompletionTokens, 'completion'),
      el('td', `${o.gpu} (${o.backend})`),
      el('td', o.maxConcurrency, { class: 'num' }),
      el('td', o.tier ?? ''),
    ]
  }

  function renderOffers(s) {
    if (s.ownOffer === undefined) empty($('own-offer'), 7, 'no offer')
    else
      $('own-offer').replaceChildren(row([...offerCells(s.ownOffer), el('td', time(s.ownOffer.expiresAt))]))
    if (s.book.length === 0) return empty($('book'), 7, 'no other offers for these models')
    $('book').replaceChildren(
      ...s.book.map((o) => row([el('td', o.provider, { class: 'mono' }), ...offerCells(o)])),
    )
  }

  function renderPeers(peers) {
    $('peers').replaceChildren(...peers.map((p) => el('li', p)))
  }

  let chart
  function renderChart(history) {
    const labels = history.map((p) => time(p.at))
    const toTon = (nano) => Number(BigInt(nano)) / 1e9
    const earned = history.map((p) => toTon(p.earned))
    const claimed = history.map((p) => toTon(p.claimed))
    if (chart === undefined) {
      chart = new window.Chart($('earnings-chart'), {
        type: 'line',
        data: {
          labels,
          datasets: [
            { label: 'earned (TON)', data: earned, stepped: true },
            { label: 'claimed (TON)', data: claimed, stepped: true },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true, title: { display: true, text: 'TON' } } },
        },
      })
      document.body.dataset.chart = 'ready'
    } else {
      chart.data.labels = labels
      chart.data.datasets[0].data = earned
      chart.data.datasets[1].data = claimed
      chart.update('none')
    }
    document.body.dataset.chartPoints = String(history.length)
  }

  let applied = 0
  let newest = 0
  function render(s) {
    // a slower response must not overwrite a newer pushed state
    if (s.at < newest) return
    newest = s.at
    renderHeader(s)
    renderStatus(s)
    renderJobs(s.jobs)
    renderChannels(s)
    renderClaims(s.claims)
    renderOffers(s)
    renderPeers(s.peers)
    renderChart(s.earningsHistory)
    applied += 1
    document.body.dataset.updates = String(applied)
  }

  function logEvent(e) {
    const list = $('events')
    list.prepend(el('li', `${new Date().toLocaleTimeString()} ${e.event} ${JSON.stringify(e.fields)}`))
    while (list.children.length > MAX_EVENTS) list.lastElementChild?.remove()
  }

  function load() {
    return fetch('api/state')
      .then((r) => {
        if (!r.ok) throw new Error(`state: HTTP ${r.status}`)
        return r.json()
      })
      .then(render)
      .catch((error) => {
        $('connection').textContent = `cannot read the node's state: ${error.message}`
      })
  }

  load().then(() => {
    const events = new EventSource('api/events')
    events.addEventListener('open', () => {
      $('connection').textContent = 'live'
      document.body.dataset.live = 'true'
      // whatever happened while the stream was down
      load()
    })
    events.addEventListener('error', () => {
      $('connection').textContent = 'disconnected from the node; retrying…'
      document.body.dataset.live = 'false'
    })
    events.addEventListener('state', (m) => {
      const state = JSON.parse(m.data)
      // too large to push: read it instead
      if (state.truncated === true) load()
      else render(state)
    })
    events.addEventListener('node', (m) => {
      const e = JSON.parse(m.data)
      logEvent(e.truncated === true ? { event: '(too large to show)', fields: {} } : e)
    })
    events.addEventListener('state-failed', (m) => {
      $('connection').textContent = `the node could not read its state: ${JSON.parse(m.data).message}`
    })
  })
})()
