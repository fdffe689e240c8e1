import { describeBinding } from '@sess/engine-tests'
import express5 from 'express'
import express4 from 'express4'
import { listen, standardApp, type ExpressFactory } from './test-app.js'

for (const [label, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as Array<[string, ExpressFactory]>) {
  describeBinding(`@sess/express on ${label}`, {
    start: async (sessions) => listen(standardApp(express, sessions)),
  })
}
