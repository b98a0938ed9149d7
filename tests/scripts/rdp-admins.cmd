@ECHO OFF
REM Remote Desktop for the admin subnet only
REM -- written for Windows Server 2003 --
NETSH IPSEC STATIC ADD POLICY NAME="RDP Admins" DESCRIPTION="only 198.51.100.0/24 may RDP"
NETSH IPSEC STATIC ADD FILTERACTION NAME="Permit" ACTION=PERMIT
NETSH IPSEC STATIC ADD FILTERACTION NAME="Block" ACTION=BLOCK
NETSH IPSEC STATIC ADD FILTERLIST NAME="RDP from anywhere"
NETSH IPSEC STATIC ADD FILTER FILTERLIST="RDP from anywhere" SRCADDR=ANY DSTADDR=ME PROTOCOL=TCP SRCPORT=0 DSTPORT=3389 MIRRORED=YES
NETSH IPSEC STATIC ADD FILTERLIST NAME="RDP from admins"
netsh.exe ipsec static add filter filterlist="RDP from admins" srcaddr=198.51.100.0 srcmask = 24 dstaddr=me protocol=tcp dstport=3389
Netsh Ipsec Static Add Rule Name="Block RDP" Policy="RDP Admins" FilterList="RDP from anywhere" FilterAction="Block"
Netsh Ipsec Static Add Rule Name="Admin RDP" Policy="RDP Admins" FilterList="RDP from admins" FilterAction="Permit"
NETSH IPSEC STATIC SET POLICY NAME="RDP Admins" ASSIGN=YES
:end
