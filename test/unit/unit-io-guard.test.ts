/**
 * The unit project's setup file (test-support/unit-io-guard.ts) stops unit
 * tests from opening sockets or starting processes. Each case below makes one
 * of the blocked calls, expects the guard's error, and takes the blocked call
 * off the guard's list (otherwise the guard fails the test for making it).
 */
import childProcess, { execFile, spawn } from 'node:child_process'
import dgram from 'node:dgram'
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { takeBlockedIo, UnitIoError } from '../../test-support/unit-io-guard.ts'

const MOVE = /unit tests must not open sockets or processes \(.+\): move this test to test\/e2e/

describe('the unit test I/O guard', () => {
  it('refuses to listen on a TCP port', () => {
    expect(() => net.createServer().listen(0)).toThrow(UnitIoError)
    expect(takeBlockedIo()).toEqual(['net.Server#listen'])
  })

  it('says what to do about it', () => {
    expect(() => net.createServer().listen(0)).toThrow(MOVE)
    takeBlockedIo()
  })

  // inverted: passes only when the guard fails a test that caught its error and carried on
  it.fails('fails a test that caught its error', () => {
    try {
      net.createServer().listen(0)
    } catch {
      // swallowed, as code under test may do
    }
  })

  it('refuses to connect (net, and fetch underneath)', async () => {
    expect(() => net.connect(65535, '127.0.0.1')).toThrow(UnitIoError)
    const failed = await fetch('http://127.0.0.1:65535/').catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(TypeError)
    expect((failed as TypeError).cause).toBeInstanceOf(UnitIoError)
    expect(takeBlockedIo()).toEqual(['net.Socket#connect', 'net.Socket#connect'])
  })

  it('refuses UDP', () => {
    const socket = dgram.createSocket('udp4')
    try {
      expect(() => socket.bind(0)).toThrow(UnitIoError)
      expect(() => socket.send('x', 9, '127.0.0.1')).toThrow(UnitIoError)
    } finally {
      socket.close()
    }
    expect(takeBlockedIo()).toEqual(['dgram.Socket#bind', 'dgram.Socket#bind'])
  })

  it('refuses to start processes, through named and default imports alike', () => {
    expect(() => spawn(process.execPath, ['-e', ''])).toThrow(UnitIoError)
    expect(() => execFile(process.execPath, ['-e', ''])).toThrow(UnitIoError)
    expect(() => childProcess.fork('-e')).toThrow(UnitIoError)
    expect(() => childProcess.execSync('true')).toThrow(UnitIoError)
    expect(takeBlockedIo()).toEqual([
      'child_process.spawn',
      'child_process.execFile',
      'child_process.fork',
      'child_process.execSync',
    ])
  })
})
