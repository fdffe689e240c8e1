import { expressCases } from './express.js'
import { expressCompatCases } from './express-compat.js'
import { fastifyCases } from './fastify.js'
import { floorCases } from './floors.js'
import { honoCases } from './hono.js'
import { koaCases } from './koa.js'
import type { Group, ServerCase } from './types.js'

/** Every server case, grouped by framework; the first of each group is the bare framework. */
export const serverCases: ServerCase[] = [...expressCases, ...expressCompatCases, ...floorCases, ...koaCases, ...honoCases, ...fastifyCases]

/** The HTTP groups in run order. */
export const httpGroups: Group[] = ['express', 'koa', 'hono', 'fastify']

/** The case with this id, or `undefined`. */
export function findCase(id: string): ServerCase | undefined {
  return serverCases.find((c) => c.id === id)
}
