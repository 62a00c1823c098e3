import Testing
@testable import Canp

@Suite struct J1939IdentifierTests {
    @Test func fieldsOfABroadcastIdentifier() {
        let id = J1939Identifier(0x18FE_F117)   // CCVS from address 0x17, priority 6
        #expect(id.priority == 6 && id.pduFormat == 0xFE && id.pduSpecific == 0xF1 && id.sourceAddress == 0x17)
        #expect(!id.isAddressed && id.destinationAddress == nil)
        #expect(id.parameterGroupNumber == 0xFEF1)
    }

    /// PDU1 (PDU format below 240): the destination address is not part of the group.
    @Test func theDestinationOfAnAddressedIdentifierIsMasked() {
        #expect(J1939Identifier(0x0C00_2A03).parameterGroupNumber == 0)        // TSC1 to 0x2A
        #expect(J1939Identifier(0x0C00_2A03).destinationAddress == 0x2A)
        #expect(J1939Identifier(0x18EA_FF00).parameterGroupNumber == 0xEA00)   // request to all
        #expect(J1939Identifier(0x18EF_1234).parameterGroupNumber == 0xEF00)   // PF 239: still PDU1
        #expect(J1939Identifier(0x18F0_1234).parameterGroupNumber == 0xF012)   // PF 240: PDU2
        #expect(J1939Identifier(0x0CF0_0400).parameterGroupNumber == 0xF004)   // EEC1
    }

    /// The data page bits (24, 25) are part of the group; priority and bits above 28 are not.
    @Test func dataPagesBelongToTheGroup() {
        #expect(J1939Identifier(0x03FE_F100).parameterGroupNumber == 0x3FEF1)
        #expect(J1939Identifier(0x01FE_F100).parameterGroupNumber == 0x1FEF1)
        #expect(J1939Identifier(0x1CFE_F100).parameterGroupNumber == J1939Identifier(0x00FE_F1FF).parameterGroupNumber)
        #expect(J1939Identifier(0xE0FE_F100).rawValue == 0x00FE_F100)
    }
}
