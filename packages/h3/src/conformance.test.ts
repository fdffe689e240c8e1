import { describeBinding } from '@sess/engine-tests'
import { listen, standardApp } from './test-app.js'

describeBinding('@sess/h3 on h3 2 (srvx, node:http)', { start: (sessions) => listen(standardApp(sessions)) })
