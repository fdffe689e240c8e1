import { describeBinding } from '@sess/engine-tests'
import Koa from 'koa'
import Koa2 from 'koa2'
import { startStandardApp } from './test-app.js'

describeBinding('koa 3', { start: (sessions) => startStandardApp(Koa, sessions) })
describeBinding('koa 2', { start: (sessions) => startStandardApp(Koa2, sessions) })
