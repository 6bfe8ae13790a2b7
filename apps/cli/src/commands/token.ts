import type { Command } from 'commander'

/** `rere token create|list|revoke --url URL`: personal API tokens, over HTTP. */
export function register(program: Command): void {
  const token = program
    .command('token')
    .description(
      'create, list or revoke your personal API tokens on a running Rere (over HTTP; local sign-on needs no token)',
    )
  const common = (c: Command) =>
    c
      .option('--url <url>', 'API base URL, e.g. http://127.0.0.1:8080 (default: RERE_URL)')
      .option('--token <token>', 'an existing API token to authenticate with (default: RERE_TOKEN)')

  common(
    token
      .command('create')
      .description('create a token; prints it once as JSON {id, name, prefix, expiresAt, token}')
      .requiredOption('--name <name>', 'a name to recognise the token by')
      .option('--expires-in-days <days>', 'expire after this many days')
      .option('--expires-at <iso>', 'expire at this ISO 8601 date-time'),
  ).action(
    async (o: {
      url?: string
      token?: string
      name: string
      expiresInDays?: string
      expiresAt?: string
    }) => {
      const { clientFrom } = await import('./fixture.ts')
      const body: Record<string, unknown> = { name: o.name }
      if (o.expiresInDays !== undefined) {
        const n = Number(o.expiresInDays)
        if (!Number.isFinite(n) || n <= 0) {
          console.error(
            `rere token create: --expires-in-days ${o.expiresInDays} must be a positive number`,
          )
          process.exit(2)
        }
        body.expiresInDays = n
      }
      if (o.expiresAt !== undefined) body.expiresAt = o.expiresAt
      await print('rere token create', async () =>
        (await clientFrom(o, 'rere token')).call('POST', '/api/tokens/', body),
      )
    },
  )
  common(token.command('list').description('list your tokens as JSON (never the secrets)')).action(
    async (o: { url?: string; token?: string }) => {
      const { clientFrom } = await import('./fixture.ts')
      await print('rere token list', async () =>
        (await clientFrom(o, 'rere token')).call('GET', '/api/tokens/'),
      )
    },
  )
  common(
    token.command('revoke').description('revoke a token by id').argument('<id>', 'token id'),
  ).action(async (id: string, o: { url?: string; token?: string }) => {
    const { clientFrom } = await import('./fixture.ts')
    if (!/^\d+$/.test(id)) {
      console.error(`rere token revoke: ${id} is not a token id`)
      process.exit(2)
    }
    await print('rere token revoke', async () => {
      await (await clientFrom(o, 'rere token')).call('DELETE', `/api/tokens/${id}/`)
      return { revoked: Number(id) }
    })
  })
}

async function print(cmd: string, f: () => Promise<unknown>): Promise<void> {
  try {
    console.log(JSON.stringify(await f(), null, 2))
  } catch (e) {
    console.error(`${cmd}: ${(e as Error).message}`)
    process.exit(1)
  }
}
