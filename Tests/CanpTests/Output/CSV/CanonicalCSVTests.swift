import Testing
@testable import Canp

@Suite("CanonicalCSV")
struct CanonicalCSVTests {
    @Test func framesRowsAreExact() throws {
        var sequence = FrameSequenceBuilder()
        sequence.append(CANFrame(
            timestamp: 1_700_000_000_123_456_789, identifier: 0x18FE_F1FE, flags: [.extended, .fd, .bitRateSwitch],
            channel: 1, data: [0x00, 0xAB, 0x0F, 0xFF, 1, 2, 3, 4, 5, 6, 7, 8]))
        sequence.append(CANFrame(timestamp: 5, identifier: 0x7DF, flags: .remoteRequest, channel: 0, data: []))
        sequence.append(CANFrame(timestamp: 6, identifier: 0x0, flags: [.errorStateIndicator, .fd, .transmitted], data: [0x5A]))
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([sequence])
        var writer = try CANPFileWriter()
        try writer.appendBlock(BlockPayloadBuilder())
        try writer.appendBlock(payload)
        let (frames, _) = try FormatFixtures.export(files: [("drive,1.bin", writer.bytes)])
        #expect(frames == """
            file,block,timestamp_ns,channel,can_id,extended,rtr,fd,brs,esi,length,data
            "drive,1.bin",1,1700000000123456789,1,0x18FEF1FE,1,0,1,1,0,12,00AB0FFF0102030405060708
            "drive,1.bin",1,5,0,0x7DF,0,1,0,0,0,0,
            "drive,1.bin",1,6,0,0x0,0,0,1,0,1,1,5A

            """)
    }

    @Test func errorsRowsNameFileBlockOffsetLevelReason() throws {
        var writer = CSVByteWriter()
        writer.appendRaw(CanonicalCSV.errorsHeader)
        CanonicalCSV.appendErrorRow(
            FormatIssue(file: "a.bin", block: 2, offset: 4096, level: .record2,
                        reason: .lengthRunsPastParent(declared: 70, available: 63)), to: &writer)
        CanonicalCSV.appendErrorRow(
            FormatIssue(file: "a.bin", block: 9, offset: 99_000, level: .record0,
                        reason: .truncatedHeader(available: 20)), to: &writer)
        CanonicalCSV.appendErrorRow(
            FormatIssue(file: "a.bin", block: 3, offset: 5000, level: .frame,
                        reason: .classicFrameTooLong(dataLength: 12)), to: &writer)
        #expect(writer.text == """
            file,block,offset,level,reason
            a.bin,2,4096,2,length 70 runs past its parent (63 bytes left)
            a.bin,9,99000,0,"truncated header: 20 bytes left, a Record0 header needs 35"
            a.bin,3,5000,frame,classic frame longer than 8 bytes (12)

            """)
    }

    @Test func headersAreTheSpecs() {
        #expect(CanonicalCSV.framesHeader == "file,block,timestamp_ns,channel,can_id,extended,rtr,fd,brs,esi,length,data\n")
        #expect(CanonicalCSV.signalsHeader == "file,block,timestamp_ns,channel,can_id,message,signal,raw,value,label\n")
        #expect(CanonicalCSV.errorsHeader == "file,block,offset,level,reason\n")
    }
}
