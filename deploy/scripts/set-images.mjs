#!/usr/bin/env node
// Write released images into the kustomize base (release.yml's tag-update step):
//   node deploy/scripts/set-images.mjs 'rere-api=ghcr.io/o/rere-api:1.2.3@sha256:...' ...
// Each argument: <image name used in the manifests>=<new name>:<tag>[@<digest>]. Comments and
// the rest of the file are kept. Fails on an image name the kustomization does not list.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'

const SPEC =
  /^([a-z0-9-]+)=([a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+):([\w][\w.-]{0,127})(?:@(sha256:[0-9a-f]{64}))?$/

export function setImages(text, specs) {
  const doc = parseDocument(text)
  const images = doc.get('images')
  if (!images) throw new Error('kustomization has no images list')
  for (const spec of specs) {
    const m = SPEC.exec(spec)
    if (!m) throw new Error(`bad image spec (name=registry/repo:tag[@sha256:...]): ${spec}`)
    const [, name, newName, newTag, digest] = m
    const entry = images.items.find((i) => i.get('name') === name)
    if (!entry) throw new Error(`image ${name} is not in the kustomization`)
    entry.set('newName', newName)
    entry.set('newTag', newTag)
    if (digest) entry.set('digest', digest)
    else entry.delete('digest')
  }
  return doc.toString()
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file =
    process.env.KUSTOMIZATION ??
    join(dirname(fileURLToPath(import.meta.url)), '..', 'k8s', 'base', 'kustomization.yaml')
  writeFileSync(file, setImages(readFileSync(file, 'utf8'), process.argv.slice(2)))
}
