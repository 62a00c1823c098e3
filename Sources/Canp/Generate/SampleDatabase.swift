/// The DBC that `canp generate` writes beside its files: a delivery van's
/// powertrain, chassis and battery buses, written for CANP.
///
/// It covers what real fleets have: Intel and Motorola signals, signed and
/// unsigned, IEEE float and double signals, a multiplexed message, value
/// tables (one with commas in its labels), a 29-bit J1939 identifier, a
/// CAN FD message of 64 bytes and cycle times from 10 ms to 1 s.
public enum SampleDatabase {
    /// The file name used for the DBC in generated data sets.
    public static let fileName = "fleet.dbc"

    /// The DBC text.
    public static let text = """
    VERSION "canp-fleet-1"

    NS_ :
        CM_
        BA_DEF_
        BA_
        VAL_
        SIG_VALTYPE_

    BS_:

    BU_: PCM TCM ABS EPS BMS OBC TELEMATICS

    BO_ 160 PowertrainStatus: 8 PCM
     SG_ MotorSpeed : 0|16@1- (1,0) [-20000|20000] "rpm" TCM,TELEMATICS
     SG_ MotorTorque : 16|12@1- (0.5,0) [-1000|1000] "Nm" TCM
     SG_ AcceleratorPedal : 28|10@1+ (0.1,0) [0|100] "%" TCM
     SG_ DriveMode : 38|3@1+ (1,0) [0|7] "" TCM,TELEMATICS
     SG_ ReadyToDrive : 41|1@1+ (1,0) [0|1] "" TELEMATICS
     SG_ RollingCounter : 56|4@1+ (1,0) [0|15] "" TCM
     SG_ Checksum : 60|4@1+ (1,0) [0|15] "" TCM

    BO_ 176 WheelSpeeds: 8 ABS
     SG_ WheelSpeedFL : 7|16@0+ (0.01,0) [0|300] "km/h" PCM,EPS
     SG_ WheelSpeedFR : 23|16@0+ (0.01,0) [0|300] "km/h" PCM,EPS
     SG_ WheelSpeedRL : 39|16@0+ (0.01,0) [0|300] "km/h" PCM,EPS
     SG_ WheelSpeedRR : 55|16@0+ (0.01,0) [0|300] "km/h" PCM,EPS

    BO_ 177 BrakeSystem: 6 ABS
     SG_ BrakePressureFront : 0|12@1+ (0.05,0) [0|200] "bar" PCM
     SG_ BrakePressureRear : 12|12@1+ (0.05,0) [0|200] "bar" PCM
     SG_ BrakePedalPressed : 24|1@1+ (1,0) [0|1] "" PCM,TELEMATICS
     SG_ ABSActive : 25|1@1+ (1,0) [0|1] "" TELEMATICS
     SG_ ESCState : 26|2@1+ (1,0) [0|3] "" TELEMATICS
     SG_ LongitudinalAccel : 32|16@1- (0.001,0) [-15|15] "m/s2" PCM

    BO_ 192 SteeringAngle: 8 EPS
     SG_ SteeringWheelAngle : 7|16@0- (0.1,0) [-780|780] "deg" ABS,PCM
     SG_ SteeringWheelRate : 23|12@0- (1,0) [-1000|1000] "deg/s" ABS
     SG_ EPSAssistTorque : 27|12@0- (0.01,0) [-10|10] "Nm" PCM
     SG_ EPSFault : 47|3@0+ (1,0) [0|7] "" TELEMATICS

    BO_ 208 TransmissionStatus: 4 TCM
     SG_ GearSelected : 0|4@1+ (1,0) [0|15] "" PCM,TELEMATICS
     SG_ TransmissionOilTemp : 8|8@1+ (1,-40) [-40|150] "degC" TELEMATICS
     SG_ ClutchSlip : 16|16@1+ (0.1,0) [0|1000] "rpm" PCM

    BO_ 256 BatteryPack: 8 BMS
     SG_ PackVoltage : 0|16@1+ (0.01,0) [200|450] "V" PCM,OBC,TELEMATICS
     SG_ PackCurrent : 16|16@1- (0.05,0) [-600|600] "A" PCM,TELEMATICS
     SG_ StateOfCharge : 32|10@1+ (0.1,0) [0|100] "%" TELEMATICS
     SG_ StateOfHealth : 42|7@1+ (1,0) [0|100] "%" TELEMATICS
     SG_ BMSState : 49|3@1+ (1,0) [0|7] "" PCM,OBC
     SG_ MaxCellTemp : 52|12@1- (0.1,0) [-40|80] "degC" TELEMATICS

    BO_ 272 CellVoltages: 8 BMS
     SG_ CellGroup M : 0|8@1+ (1,0) [0|3] "" TELEMATICS
     SG_ CellVoltage0 m0 : 8|14@1+ (0.001,0) [2.5|4.3] "V" TELEMATICS
     SG_ CellVoltage1 m0 : 22|14@1+ (0.001,0) [2.5|4.3] "V" TELEMATICS
     SG_ CellVoltage2 m0 : 36|14@1+ (0.001,0) [2.5|4.3] "V" TELEMATICS
     SG_ CellVoltage3 m1 : 8|14@1+ (0.001,0) [2.5|4.3] "V" TELEMATICS
     SG_ CellVoltage4 m1 : 22|14@1+ (0.001,0) [2.5|4.3] "V" TELEMATICS
     SG_ CellVoltage5 m1 : 36|14@1+ (0.001,0) [2.5|4.3] "V" TELEMATICS
     SG_ CellTemp0 m2 : 8|8@1- (1,0) [-40|80] "degC" TELEMATICS
     SG_ CellTemp1 m2 : 16|8@1- (1,0) [-40|80] "degC" TELEMATICS
     SG_ BalancingMask m3 : 8|32@1+ (1,0) [0|4294967295] "" TELEMATICS
     SG_ StringCounter : 60|4@1+ (1,0) [0|15] "" TELEMATICS

    BO_ 288 InverterTemps: 8 PCM
     SG_ InverterTemp : 0|32@1- (1,0) [-40|150] "degC" TELEMATICS
     SG_ MotorStatorTemp : 32|32@1- (1,0) [-40|180] "degC" TELEMATICS

    BO_ 304 ChargerStatus: 8 OBC
     SG_ ChargerState : 0|4@1+ (1,0) [0|15] "" BMS,TELEMATICS
     SG_ ChargingPower : 8|16@1+ (0.01,0) [0|22] "kW" TELEMATICS
     SG_ GridVoltage : 24|10@1+ (0.5,0) [0|500] "V" TELEMATICS
     SG_ PlugTemp : 40|8@1+ (1,-40) [-40|150] "degC" TELEMATICS
     SG_ TimeToFull : 48|16@1+ (1,0) [0|1440] "min" TELEMATICS

    BO_ 1024 Odometer: 8 TELEMATICS
     SG_ TotalDistance : 0|64@1+ (1,0) [0|1000000] "km" PCM

    BO_ 2364539646 EngineTemperatureJ1939: 8 PCM
     SG_ CoolantTemp : 0|8@1+ (1,-40) [-40|210] "degC" TELEMATICS
     SG_ FuelTemp : 8|8@1+ (1,-40) [-40|210] "degC" TELEMATICS
     SG_ OilTemp : 16|16@1+ (0.03125,-273) [-273|1735] "degC" TELEMATICS
     SG_ IntercoolerTemp : 48|8@1+ (1,-40) [-40|210] "degC" TELEMATICS

    BO_ 2566844670 VehiclePositionJ1939: 8 TELEMATICS
     SG_ Latitude : 0|32@1+ (1E-007,-210) [-90|90] "deg" PCM
     SG_ Longitude : 32|32@1+ (1E-007,-210) [-180|180] "deg" PCM

    BO_ 1536 ADASObjectList: 64 TELEMATICS
     SG_ ObjectCount : 0|8@1+ (1,0) [0|16] "" PCM
     SG_ Object0Distance : 8|16@1+ (0.01,0) [0|250] "m" PCM
     SG_ Object0RelSpeed : 24|16@1- (0.01,0) [-100|100] "m/s" PCM
     SG_ Object0Class : 40|4@1+ (1,0) [0|15] "" PCM
     SG_ Object1Distance : 48|16@1+ (0.01,0) [0|250] "m" PCM
     SG_ Object1RelSpeed : 64|16@1- (0.01,0) [-100|100] "m/s" PCM
     SG_ Object1Class : 80|4@1+ (1,0) [0|15] "" PCM
     SG_ TimeToCollision : 96|32@1- (1,0) [0|100] "s" PCM
     SG_ EgoYawRate : 128|64@1- (1,0) [-2|2] "rad/s" PCM
     SG_ SceneCounter : 504|8@1+ (1,0) [0|255] "" PCM

    BO_ 1792 DiagnosticResponse: 8 PCM
     SG_ ServiceId : 0|8@1+ (1,0) [0|255] "" TELEMATICS
     SG_ DataIdentifier : 8|16@1+ (1,0) [0|65535] "" TELEMATICS
     SG_ DataValue : 24|32@1+ (1,0) [0|4294967295] "" TELEMATICS

    CM_ "Sample fleet bus for CANP: generated with canp generate.";
    CM_ BO_ 256 "Battery pack summary from the BMS, 100 ms.";
    CM_ SG_ 272 CellGroup "Selects which cells the frame reports.";
    CM_ SG_ 2566844670 Latitude "WGS84, J1939 VP PGN 65267 style.";

    BA_DEF_ BO_ "GenMsgCycleTime" INT 0 10000;
    BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","reserved","J1939PG","reserved","reserved","reserved","reserved","reserved","reserved","reserved","reserved","reserved","reserved","StandardCAN_FD","ExtendedCAN_FD";
    BA_DEF_ BU_ "NodeLayer" STRING ;
    BA_DEF_DEF_ "GenMsgCycleTime" 100;
    BA_DEF_DEF_ "VFrameFormat" "StandardCAN";
    BA_DEF_DEF_ "NodeLayer" "";
    BA_ "GenMsgCycleTime" BO_ 160 10;
    BA_ "GenMsgCycleTime" BO_ 176 20;
    BA_ "GenMsgCycleTime" BO_ 177 20;
    BA_ "GenMsgCycleTime" BO_ 192 10;
    BA_ "GenMsgCycleTime" BO_ 208 50;
    BA_ "GenMsgCycleTime" BO_ 256 100;
    BA_ "GenMsgCycleTime" BO_ 272 25;
    BA_ "GenMsgCycleTime" BO_ 288 200;
    BA_ "GenMsgCycleTime" BO_ 304 500;
    BA_ "GenMsgCycleTime" BO_ 1024 1000;
    BA_ "GenMsgCycleTime" BO_ 2364539646 500;
    BA_ "GenMsgCycleTime" BO_ 2566844670 1000;
    BA_ "GenMsgCycleTime" BO_ 1536 50;
    BA_ "GenMsgCycleTime" BO_ 1792 1000;
    BA_ "VFrameFormat" BO_ 2364539646 3;
    BA_ "VFrameFormat" BO_ 2566844670 3;
    BA_ "VFrameFormat" BO_ 1536 14;

    VAL_ 160 DriveMode 0 "Park" 1 "Reverse" 2 "Neutral" 3 "Drive" 4 "Eco, reduced power" 5 "Sport" 7 "Fault";
    VAL_ 177 ESCState 0 "Off" 1 "Standby" 2 "Active" 3 "Fault";
    VAL_ 192 EPSFault 0 "None" 1 "Sensor fault" 2 "Overtemperature, derated" 3 "Motor fault" 7 "Unknown";
    VAL_ 208 GearSelected 0 "P" 1 "R" 2 "N" 3 "D" 15 "Invalid";
    VAL_ 256 BMSState 0 "Off" 1 "Precharge" 2 "Ready" 3 "Charging" 4 "Balancing" 6 "Fault, contactors open";
    VAL_ 304 ChargerState 0 "Unplugged" 1 "Plugged" 2 "Charging AC" 3 "Charging DC" 4 "Complete" 15 "Error";
    VAL_ 1536 Object0Class 0 "None" 1 "Car" 2 "Truck" 3 "Pedestrian" 4 "Cyclist";
    VAL_ 1536 Object1Class 0 "None" 1 "Car" 2 "Truck" 3 "Pedestrian" 4 "Cyclist";

    SIG_VALTYPE_ 288 InverterTemp : 1;
    SIG_VALTYPE_ 288 MotorStatorTemp : 1;
    SIG_VALTYPE_ 1536 TimeToCollision : 1;
    SIG_VALTYPE_ 1536 EgoYawRate : 2;

    """
}
