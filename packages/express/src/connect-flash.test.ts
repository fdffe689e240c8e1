import flash from 'connect-flash'
import type { Request } from 'express'
import { describe, expect, it } from 'vitest'
import { CookieJar, EXPRESS, startCompat } from './test-compat.js'

type FlashRequest = Request & { flash(type: string, message?: string): string[] | number }

for (const [label, express] of EXPRESS) {
  describe(`connect-flash through expressSessionCompat on ${label}`, () => {
    const app = () =>
      startCompat(express, (a) => {
        a.use(flash())
        a.post('/save', (req, res) => {
          ;(req as FlashRequest).flash('info', 'Saved!')
          ;(req as FlashRequest).flash('info', 'Twice.')
          res.redirect('/show')
        })
        a.get('/show', (req, res) => {
          res.json({ info: (req as FlashRequest).flash('info') })
        })
      })

    it('a flash set on POST is shown once after the redirect, then gone', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      const post = await request('POST', '/save', jar)
      expect(post.status).toBe(302)
      expect(post.headers.get('location')).toBe('/show')
      expect(jar.get('sessionid')).toBeDefined()
      expect((await request('GET', '/show', jar)).json()).toEqual({ info: ['Saved!', 'Twice.'] })
      expect((await request('GET', '/show', jar)).json()).toEqual({ info: [] })
    })

    it('flashes of two browsers stay apart', async () => {
      const { request } = await app()
      const [one, two] = [new CookieJar(), new CookieJar()]
      await request('POST', '/save', one)
      expect((await request('GET', '/show', two)).json()).toEqual({ info: [] })
      expect((await request('GET', '/show', one)).json()).toEqual({ info: ['Saved!', 'Twice.'] })
    })
  })
}
