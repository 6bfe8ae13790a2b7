/**
 * Cluster provisioning (deploy/ansible): every playbook passes `ansible-playbook --syntax-check`
 * (Debian's ansible, installed by .ci/run), every role the issue names exists, and the roles'
 * templates render with the example inventory into valid K3s / containerd / chrony / dnsmasq
 * configuration (rendered locally by fixtures/ansible-render.yml: nothing touches a node).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { repoRoot } from './lib/render.ts'

const run = promisify(execFile)
const dir = join(repoRoot, 'deploy', 'ansible')
const env = { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' }
const playbooks = ['site', 'reboot', 'reset', 'registry', 'upgrade']

function syntaxCheck(...files: string[]) {
  return run('ansible-playbook', ['--syntax-check', '-i', 'inventory/example.yml', ...files], {
    cwd: dir,
    env,
  })
}

// Ansible's start-up dominates: the three runs start together here and the tests await them.
function settled<T>(p: Promise<T>): Promise<{ value?: T; error?: Error }> {
  return p.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  )
}
const realCheck = settled(syntaxCheck(...playbooks.map((p) => `playbooks/${p}.yml`)))
const broken = join(mkdtempSync(join(tmpdir(), 'rere-ansible-')), 'bad.yml')
writeFileSync(
  broken,
  '- hosts: all\n  tasks:\n    - name: x\n      ansible.builtin.no_such_module: {}\n',
)
const brokenCheck = settled(syntaxCheck(broken))
const out = mkdtempSync(join(tmpdir(), 'rere-ansible-render-'))
const rendering = settled(
  run(
    'ansible-playbook',
    [
      '-i',
      'inventory/example.yml',
      join(repoRoot, 'deploy/tests/fixtures/ansible-render.yml'),
      '-e',
      `render_dir=${out}`,
      '-e',
      'k3s_token=example-token',
    ],
    { cwd: dir, env },
  ),
)

describe('ansible', { timeout: 120_000 }, () => {
  it('has the playbooks and roles of the issue', () => {
    expect(readdirSync(join(dir, 'playbooks')).sort()).toEqual(
      playbooks.map((p) => `${p}.yml`).sort(),
    )
    for (const role of [
      'prereq',
      'raspberrypi',
      'airgap',
      'k3s_server',
      'k3s_agent',
      'k3s_deployments',
      'k3s_upgrade',
      'ntp_time_server',
      'dnsmasq',
      'registry_mirror',
    ])
      expect(existsSync(join(dir, 'roles', role, 'tasks', 'main.yml')), role).toBe(true)
  })

  it('every playbook passes ansible-playbook --syntax-check', async () => {
    const r = await realCheck
    expect(r.error?.message).toBeUndefined()
    for (const p of playbooks) expect(r.value!.stdout).toContain(`playbook: playbooks/${p}.yml`)
  })

  it('the syntax check does catch a broken playbook (unknown module)', async () => {
    const r = await brokenCheck
    expect(r.error?.message).toMatch(/no_such_module/)
  })

  it('the example inventory has eight Pis: one server with the route out, one storage node', () => {
    const inv = parse(readFileSync(join(dir, 'inventory', 'example.yml'), 'utf8'))
    const cluster = inv.all.children.k3s_cluster.children
    const server = Object.entries<Record<string, unknown>>(cluster.server.hosts)
    const agents = Object.entries<Record<string, unknown>>(cluster.agent.hosts)
    expect(server.length + agents.length).toBe(8)
    expect(server.map(([, v]) => v.internet)).toEqual([true])
    expect(agents.some(([, v]) => v.internet)).toBe(false)
    expect(agents.filter(([, v]) => v.storage_node).length).toBe(1)
    const macs = [...server, ...agents].map(([, v]) => v.mac)
    expect(new Set(macs).size).toBe(8)
  })

  it('templates render to valid K3s, containerd, chrony and dnsmasq configuration', async () => {
    const r = await rendering
    expect(r.error?.message).toBeUndefined()
    const server = join(out, 'rere-pi-1')
    const agent = join(out, 'rere-pi-3')
    const k3s = parse(readFileSync(join(server, 'k3s-server.yaml'), 'utf8'))
    expect(k3s['node-ip']).toBe('192.168.50.10')
    expect(k3s['write-kubeconfig-mode']).toBe('0600')
    const ag = parse(readFileSync(join(agent, 'k3s-agent.yaml'), 'utf8'))
    expect(ag).toEqual({
      server: 'https://192.168.50.10:6443',
      token: 'example-token',
      'node-ip': '192.168.50.12',
    })
    for (const host of [server, agent]) {
      const reg = parse(readFileSync(join(host, 'registries.yaml'), 'utf8'))
      expect(Object.keys(reg.mirrors).sort()).toEqual(['docker.io', 'ghcr.io', 'quay.io'])
      for (const m of Object.values<{ endpoint: string[] }>(reg.mirrors))
        expect(m.endpoint[0]).toMatch(/^http:\/\/192\.168\.50\.10:500\d$/)
    }
    // each mirror's proxy listens where registries.yaml points
    const reg = parse(readFileSync(join(server, 'registries.yaml'), 'utf8'))
    for (const [upstream, m] of Object.entries<{ endpoint: string[] }>(reg.mirrors)) {
      const proxy = parse(readFileSync(join(server, `registry-${upstream}.yml`), 'utf8'))
      expect(`http://${proxy.http.addr}`).toBe(m.endpoint[0])
      expect(proxy.proxy.remoteurl).toMatch(/^https:\/\//)
    }
    expect(readFileSync(join(agent, 'chrony-client.conf'), 'utf8')).toMatch(
      /^server 192\.168\.50\.10 iburst/m,
    )
    const chronyServer = readFileSync(join(server, 'chrony-server.conf'), 'utf8')
    expect(chronyServer).toMatch(/^allow 192\.168\.50\.0\/24$/m)
    expect(chronyServer).toMatch(/^local stratum/m)
    const dnsmasq = readFileSync(join(server, 'dnsmasq.conf'), 'utf8')
    expect(
      dnsmasq.match(
        /^dhcp-host=([0-9a-f]{2}:){5}[0-9a-f]{2},192\.168\.50\.\d+,rere-pi-\d,infinite$/gm,
      ),
    ).toHaveLength(8)
    expect(dnsmasq).toMatch(/^address=\/rere\.example\.org\/192\.168\.50\.10$/m)
  })
})
