import Testing
@testable import Canp

@Suite("FrameFlags")
struct FrameFlagsTests {
    @Test func packsTheIdentifierAndFlagsByteBits() {
        #expect(FrameFlags(rawIdentifier: 0x8000_0000, flagsByte: 0) == .extended)
        #expect(FrameFlags(rawIdentifier: 0x4000_0000, flagsByte: 0) == .remoteRequest)
        #expect(FrameFlags(rawIdentifier: 0x2000_0000, flagsByte: 0) == .errorFrame)
        #expect(FrameFlags(rawIdentifier: 0x1FFF_FFFF, flagsByte: 0) == [])
        #expect(FrameFlags(rawIdentifier: 0, flagsByte: 1) == .fd)
        #expect(FrameFlags(rawIdentifier: 0, flagsByte: 2) == .bitRateSwitch)
        #expect(FrameFlags(rawIdentifier: 0, flagsByte: 4) == .errorStateIndicator)
        #expect(FrameFlags(rawIdentifier: 0, flagsByte: 8) == .transmitted)
        #expect(FrameFlags(rawIdentifier: 0, flagsByte: 0xF0) == [], "undefined flag bits are ignored")
        #expect(FrameFlags(rawIdentifier: 0xE000_0000, flagsByte: 0x0F).rawValue == 0x7F)
    }

    @Test func canFrameRoundTripsThroughTheFlags() {
        let flags: FrameFlags = [.extended, .fd, .bitRateSwitch, .transmitted]
        let frame = CANFrame(timestamp: 1, identifier: 0x18FE_F1FE, flags: flags, data: [])
        #expect(frame.rawIdentifier == 0x98FE_F1FE)
        #expect(frame.flagsByte == 0x0B)
        #expect(FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte) == flags)
    }
}
