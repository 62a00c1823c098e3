/// The DBC of the second bus that `canp generate --truck-bus` adds: a
/// truck's J1939 bus, on channel ``channel``, written beside the files as
/// ``fileName``.
///
/// A J1939 database (`BA_ "ProtocolType" "J1939"`): its 29-bit messages
/// match by parameter group number, whatever priority and source address a
/// frame carries (``J1939Identifier``). It has what J1939 decoding has to
/// get right: two messages of one group (CCVS1 from the engine and from the
/// cab controller: the whole identifier decides, else the first), an
/// addressed (PDU1) group whose destination varies (TSC1), and an 11-bit
/// message whose identifier the fleet DBC uses for another message (160), so
/// that a frame decodes right only with the DBC bound to its channel.
public enum SampleTruckDatabase {
    /// The file name used for the DBC in generated data sets.
    public static let fileName = "truck.dbc"

    /// The channel its traffic is sent on.
    public static let channel: UInt8 = 3

    /// The DBC text.
    public static let text = """
    VERSION "canp-truck-1"

    NS_ :
        CM_
        BA_DEF_
        BA_
        VAL_

    BS_:

    BU_: ENGINE TRANSMISSION BRAKES CAB TELEMATICS

    BO_ 2364539904 EEC1: 8 ENGINE
     SG_ EngineTorqueMode : 0|4@1+ (1,0) [0|15] "" TELEMATICS
     SG_ DriverDemandTorque : 8|8@1+ (1,-125) [-125|125] "%" TRANSMISSION
     SG_ ActualEngineTorque : 16|8@1+ (1,-125) [-125|125] "%" TRANSMISSION
     SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8031.875] "rpm" TRANSMISSION,TELEMATICS
     SG_ EngineStarterMode : 48|4@1+ (1,0) [0|15] "" TELEMATICS

    BO_ 2566844672 CCVS1: 8 ENGINE
     SG_ ParkingBrakeSwitch : 2|2@1+ (1,0) [0|3] "" BRAKES
     SG_ WheelBasedSpeed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" TRANSMISSION,TELEMATICS
     SG_ CruiseControlActive : 24|2@1+ (1,0) [0|3] "" TELEMATICS
     SG_ BrakeSwitch : 28|2@1+ (1,0) [0|3] "" TRANSMISSION

    BO_ 2566844695 CCVS1_Cab: 8 CAB
     SG_ CabWheelBasedSpeed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" TELEMATICS
     SG_ CabCruiseSetSpeed : 40|8@1+ (1,0) [0|250] "km/h" TELEMATICS

    BO_ 2566843904 ET1: 8 ENGINE
     SG_ EngineCoolantTemp : 0|8@1+ (1,-40) [-40|210] "degC" TELEMATICS
     SG_ EngineFuelTemp : 8|8@1+ (1,-40) [-40|210] "degC" TELEMATICS
     SG_ EngineOilTemp : 16|16@1+ (0.03125,-273) [-273|1735] "degC" TELEMATICS

    BO_ 2348810243 TSC1: 8 TRANSMISSION
     SG_ OverrideControlMode : 0|2@1+ (1,0) [0|3] "" ENGINE
     SG_ RequestedSpeedLimit : 8|16@1+ (0.125,0) [0|8031.875] "rpm" ENGINE
     SG_ RequestedTorqueLimit : 24|8@1+ (1,-125) [-125|125] "%" ENGINE

    BO_ 2565865739 EBC1: 8 BRAKES
     SG_ ABSActive : 4|2@1+ (1,0) [0|3] "" TELEMATICS
     SG_ BrakePedalPosition : 8|8@1+ (0.4,0) [0|100] "%" ENGINE,TELEMATICS

    BO_ 160 CabDisplay: 8 CAB
     SG_ DisplayBrightness : 0|8@1+ (0.4,0) [0|100] "%" TELEMATICS
     SG_ AmbientLight : 8|16@1+ (1,0) [0|65535] "lux" TELEMATICS
     SG_ NightMode : 24|1@1+ (1,0) [0|1] "" TELEMATICS

    CM_ "Sample truck J1939 bus for CANP: generated with canp generate --truck-bus.";
    CM_ BO_ 2566844695 "CCVS1 as the cab controller (address 0x17) sends it.";

    BA_DEF_ "ProtocolType" STRING ;
    BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
    BA_DEF_DEF_ "ProtocolType" "";
    BA_DEF_DEF_ "GenMsgCycleTime" 100;
    BA_ "ProtocolType" "J1939";
    BA_ "GenMsgCycleTime" BO_ 2364539904 10;
    BA_ "GenMsgCycleTime" BO_ 2566844672 100;
    BA_ "GenMsgCycleTime" BO_ 2566844695 100;
    BA_ "GenMsgCycleTime" BO_ 2566843904 1000;
    BA_ "GenMsgCycleTime" BO_ 2348810243 50;
    BA_ "GenMsgCycleTime" BO_ 2565865739 100;
    BA_ "GenMsgCycleTime" BO_ 160 200;

    VAL_ 2364539904 EngineStarterMode 0 "Start not requested" 1 "Starter active, gear not engaged" 15 "Not available";
    VAL_ 2566844672 CruiseControlActive 0 "Off" 1 "On" 2 "Error" 3 "Not available";
    VAL_ 2348810243 OverrideControlMode 0 "No override" 1 "Speed control" 2 "Torque control" 3 "Speed/torque limit";

    """
}
